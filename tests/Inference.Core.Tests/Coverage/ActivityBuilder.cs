using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Tests.Coverage;

/// <summary>Builds a window's hourly edge series straight from connection times, the way the store's reader groups them.</summary>
internal sealed class ActivityBuilder
{
    public static readonly DateTimeOffset Start = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<EdgeKey, List<(DateTimeOffset Time, bool Dropped)>> _connections = [];

    public static Peer W(string ns, string name, WorkloadKind kind = WorkloadKind.Deployment) => Peer.ForWorkload(ns, name, kind);

    public static EdgeKey Edge(Peer source, Peer destination, int port, L4Protocol protocol = L4Protocol.Tcp) => new(source, destination, protocol, port, null);

    public ActivityBuilder Add(EdgeKey edge, DateTimeOffset at, int count = 1, bool dropped = false, TimeSpan? spacing = null)
    {
        if (!_connections.TryGetValue(edge, out var list))
        {
            _connections[edge] = list = [];
        }

        for (var i = 0; i < count; i++)
        {
            list.Add((at + ((spacing ?? TimeSpan.FromSeconds(1)) * i), dropped));
        }

        return this;
    }

    /// <summary>One connection every <paramref name="every"/> from <paramref name="from"/> for <paramref name="duration"/>.</summary>
    public ActivityBuilder Every(EdgeKey edge, TimeSpan every, DateTimeOffset from, TimeSpan duration)
    {
        for (var t = from; t < from + duration; t += every)
        {
            Add(edge, t);
        }

        return this;
    }

    public WindowActivity Build(DateTimeOffset? start = null, DateTimeOffset? end = null, IReadOnlyDictionary<string, DateTimeOffset>? resolved = null,
        BlindSpotInputs? blindSpots = null, IReadOnlySet<Peer>? dnsClients = null)
    {
        var edges = _connections.OrderBy(c => c.Key).Select(c => new EdgeActivity(c.Key, c.Value
            .GroupBy(x => new DateTimeOffset(x.Time.UtcTicks - (x.Time.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero))
            .OrderBy(g => g.Key)
            .Select(g => new HourActivity(g.Key, g.Count(), g.Count(x => x.Dropped), 1, g.Min(x => x.Time), g.Max(x => x.Time)))
            .ToList())).ToList();
        var (first, last) = WindowActivity.Span(edges);
        return new WindowActivity
        {
            Start = start ?? first,
            End = end ?? last,
            Edges = edges,
            FirstResolved = resolved ?? new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal),
            BlindSpots = blindSpots ?? new BlindSpotInputs(),
            DnsVisibleClients = dnsClients ?? new HashSet<Peer>(),
        };
    }
}
