using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Core.Tests.Inference;

/// <summary>Builds observations the way the store would return them, for tests.</summary>
internal sealed class Cluster
{
    private static readonly DateTimeOffset Start = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
    private readonly List<ObservedWorkload> _workloads = [];
    private readonly List<ObservedPod> _pods = [];
    private readonly List<ObservedEdge> _edges = [];
    private readonly List<ObservedHttp> _http = [];

    public Peer Workload(string ns, string name, WorkloadKind kind = WorkloadKind.Deployment, params string[] labels)
    {
        var peer = Peer.ForWorkload(ns, name, kind);
        var map = labels.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var nsLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["kubernetes.io/metadata.name"] = ns };
        var stable = map.Where(kv => !Core.Identity.VolatileLabels.IsVolatile(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _workloads.Add(new ObservedWorkload(peer, stable, nsLabels));
        _pods.Add(new ObservedPod(peer, ns, $"{name}-abc12-xyz34", map, nsLabels, null));
        return peer;
    }

    public ObservedEdge Edge(Peer source, Peer destination, L4Protocol protocol, int? port, long forwarded = 10, long dropped = 0, long audit = 0, int? icmpType = null)
    {
        var verdicts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (forwarded > 0) verdicts["FORWARDED"] = forwarded;
        if (dropped > 0) verdicts["DROPPED"] = dropped;
        if (audit > 0) verdicts["AUDIT"] = audit;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (dropped > 0) reasons["POLICY_DENIED"] = dropped;
        var edge = new ObservedEdge(new EdgeKey(source, destination, protocol, port, icmpType), forwarded + dropped + audit, verdicts, reasons,
            Start.AddHours(1), Start.AddDays(6), 2);
        _edges.Add(edge);
        return edge;
    }

    public void Http(ObservedEdge edge, string method, string path) => _http.Add(new ObservedHttp(edge.Edge, method, path, 3));

    public Observations Build() => new(_edges, _workloads, _pods, _http, []);

    public static Peer World(string? ip, params string[] names) => Peer.ForEntity(EntityKind.World, ip, names);
}
