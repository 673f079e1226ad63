using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>Turns a window's hourly edge series into per-edge features. Pure and deterministic; linear in buckets.</summary>
public static class FeatureExtractor
{
    public static IReadOnlyList<EdgeFeatures> Extract(WindowActivity window, CancellationToken cancellationToken = default)
    {
        var edges = window.Edges;
        var windowHours = Math.Max(1.0, window.Length.TotalHours);
        var peers = new Dictionary<Peer, int>();
        int Id(Peer p) => peers.TryGetValue(p, out var id) ? id : peers[p] = peers.Count;

        var fanOut = SourceFanOut.Compute(edges, Id, cancellationToken);
        var portSources = PortSources(edges, Id);
        var result = new EdgeFeatures[edges.Count];
        for (var i = 0; i < edges.Count; i++)
        {
            if ((i & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var e = edges[i];
            var raw = new double[EdgeFeature.Count];
            raw[EdgeFeature.Connections.Index] = e.Connections;
            raw[EdgeFeature.ActiveHours.Index] = e.Hours.Count;
            raw[EdgeFeature.ActiveDays.Index] = ActiveDays(e);
            raw[EdgeFeature.Regularity.Index] = Regularity(e);
            raw[EdgeFeature.SourcePods.Index] = e.Hours.Max(h => h.DistinctSourcePods);
            raw[EdgeFeature.FirstSeen.Index] = Share(e.FirstSeen, window);
            var peak = e.Hours.Max(h => h.Connections);
            raw[EdgeFeature.Burstiness.Index] = Math.Log(1 + peak) - Math.Log(1 + (e.Connections / windowHours));
            raw[EdgeFeature.PortRarity.Index] = 1.0 / Math.Max(1, portSources[PortKey(e.Edge)]);
            var (workloads, ports) = fanOut[i];
            raw[EdgeFeature.FanOutWorkloads.Index] = workloads;
            raw[EdgeFeature.FanOutPorts.Index] = ports;
            raw[EdgeFeature.CrossNamespace.Index] = CrossNamespace(e.Edge) ? 1 : 0;
            raw[EdgeFeature.DroppedShare.Index] = e.Connections == 0 ? 0 : (double)e.Dropped / e.Connections;
            raw[EdgeFeature.NewDomain.Index] = NewDomain(e.Edge.Destination, window);

            var model = (double[])raw.Clone();
            foreach (var logScaled in new[] { EdgeFeature.Connections, EdgeFeature.ActiveHours, EdgeFeature.SourcePods })
            {
                model[logScaled.Index] = Math.Log(1 + raw[logScaled.Index]);
            }

            result[i] = new EdgeFeatures(e.Edge, raw, model);
        }

        return result;
    }

    private static int ActiveDays(EdgeActivity e)
    {
        var days = 0;
        var last = DateOnly.MinValue;
        foreach (var h in e.Hours)
        {
            var day = DateOnly.FromDateTime(h.Hour.UtcDateTime);
            if (day != last)
            {
                days++;
                last = day;
            }
        }

        return days;
    }

    /// <summary>
    /// 1/(1 + coefficient of variation of the gaps between active hours), shrunk by gaps/(gaps+1): two sightings are weak
    /// evidence of a rhythm, a nightly job's six even gaps are strong. One active hour: 0 (no rhythm can be seen).
    /// </summary>
    internal static double Regularity(EdgeActivity e)
    {
        var gaps = e.Hours.Count - 1;
        if (gaps < 1)
        {
            return 0;
        }

        double sum = 0, sumSq = 0;
        for (var i = 1; i < e.Hours.Count; i++)
        {
            var gap = (e.Hours[i].Hour - e.Hours[i - 1].Hour).TotalHours;
            sum += gap;
            sumSq += gap * gap;
        }

        var mean = sum / gaps;
        var cv = mean <= 0 ? 0 : Math.Sqrt(Math.Max(0, (sumSq / gaps) - (mean * mean))) / mean;
        return 1 / (1 + cv) * gaps / (gaps + 1.0);
    }

    private static double Share(DateTimeOffset t, WindowActivity window) =>
        window.Length <= TimeSpan.Zero ? 0 : Math.Clamp((t - window.Start) / window.Length, 0, 1);

    private static bool CrossNamespace(EdgeKey edge) =>
        edge.Source.IsWorkload && edge.Destination.IsWorkload && !string.Equals(edge.Source.Namespace, edge.Destination.Namespace, StringComparison.Ordinal);

    /// <summary>For an external destination known by name: when in the window that name was first resolved (0 when resolved from the start or unknown).</summary>
    private static double NewDomain(Peer destination, WindowActivity window)
    {
        if (destination.Entity is not (EntityKind.World or EntityKind.Private) || destination.Names.Count == 0)
        {
            return 0;
        }

        DateTimeOffset? first = null;
        foreach (var name in destination.Names)
        {
            if (window.FirstResolved.TryGetValue(name, out var t) && (first is null || t < first))
            {
                first = t;
            }
        }

        return first is { } f ? Share(f, window) : 0;
    }

    private static (L4Protocol, int) PortKey(EdgeKey edge) => (edge.Protocol, edge.Port ?? edge.IcmpType ?? -1);

    private static Dictionary<(L4Protocol, int), int> PortSources(IReadOnlyList<EdgeActivity> edges, Func<Peer, int> id)
    {
        var sources = new HashSet<(L4Protocol, int, int)>();
        foreach (var e in edges)
        {
            var (protocol, port) = PortKey(e.Edge);
            sources.Add((protocol, port, id(e.Edge.Source)));
        }

        var counts = new Dictionary<(L4Protocol, int), int>();
        foreach (var (protocol, port, _) in sources)
        {
            counts[(protocol, port)] = counts.GetValueOrDefault((protocol, port)) + 1;
        }

        return counts;
    }
}
