using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>
/// The shape of a scan: per source, how many destinations and ports it touched within one minute (two adjacent clock minutes,
/// so a burst across a minute boundary is not split). The store keeps hourly
/// buckets with exact first and last seen, so an edge "touches" the minutes of its buckets' first and last connection;
/// a scan's one-connection edges land exactly, a steady edge is seen at its hour's edges (a lower bound for busy sources).
/// </summary>
internal static class SourceFanOut
{
    private const long TicksPerMinute = TimeSpan.TicksPerMinute;

    /// <summary>Per edge (same order): the most destinations and destination ports its source touched in any minute this edge was active.</summary>
    public static (int Workloads, int Ports)[] Compute(IReadOnlyList<EdgeActivity> edges, Func<Peer, int> peerId, CancellationToken cancellationToken)
    {
        // sources are independent: each one's touches are sorted by minute on its own (small, cache-friendly sorts, in parallel)
        var bySource = new Dictionary<int, List<int>>();
        var destinations = new int[edges.Count];
        for (var i = 0; i < edges.Count; i++)
        {
            var source = peerId(edges[i].Edge.Source);
            destinations[i] = peerId(edges[i].Edge.Destination);
            if (!bySource.TryGetValue(source, out var list))
            {
                bySource[source] = list = [];
            }

            list.Add(i);
        }

        var result = new (int Workloads, int Ports)[edges.Count];
        var groups = bySource.Values.ToArray();
        Parallel.ForEach(groups, new ParallelOptions { CancellationToken = cancellationToken }, group => FanOut(edges, group, destinations, result));
        return result;
    }

    /// <summary>Fills <paramref name="result"/> for the edges of one source (each edge is written by its own source only).</summary>
    private static void FanOut(IReadOnlyList<EdgeActivity> edges, List<int> group, int[] destinations, (int Workloads, int Ports)[] result)
    {
        var minutes = new List<long>();
        var touches = new List<(int Destination, long Port, int Edge)>();
        foreach (var i in group)
        {
            var e = edges[i];
            // a port is counted per destination: ten workloads probed on one port are ten targets, as a scanner sees them
            var port = ((long)destinations[i] << 32) | ((long)e.Edge.Protocol << 20) | (long)((e.Edge.Port ?? e.Edge.IcmpType ?? 0) & 0xFFFFF);
            long previous = -1;
            foreach (var h in e.Hours)
            {
                for (var end = 0; end < 2; end++)
                {
                    var minute = (end == 0 ? h.FirstSeen : h.LastSeen).UtcTicks / TicksPerMinute;
                    if (minute != previous)
                    {
                        minutes.Add(minute);
                        touches.Add((destinations[i], port, i));
                        previous = minute;
                    }
                }
            }
        }

        var keys = minutes.ToArray();
        var items = touches.ToArray();
        Array.Sort(keys, items);
        var seenDestinations = new HashSet<int>();
        var seenPorts = new HashSet<long>();
        var previousStart = 0;
        long previousMinute = long.MinValue;
        for (var start = 0; start < keys.Length;)
        {
            var stop = start;
            while (stop < keys.Length && keys[stop] == keys[start])
            {
                stop++;
            }

            // a burst that straddles a minute boundary counts whole: this minute together with the one before
            var joinPrevious = previousMinute == keys[start] - 1;
            Count(items, start, stop, seenDestinations, seenPorts, result);
            if (joinPrevious)
            {
                Count(items, previousStart, stop, seenDestinations, seenPorts, result);
            }

            (previousStart, previousMinute) = (start, keys[start]);
            start = stop;
        }
    }

    /// <summary>Distinct destinations and ports among touches [from, to), raised into each of those edges' results.</summary>
    private static void Count((int Destination, long Port, int Edge)[] items, int from, int to, HashSet<int> destinations, HashSet<long> ports,
        (int Workloads, int Ports)[] result)
    {
        destinations.Clear();
        ports.Clear();
        for (var k = from; k < to; k++)
        {
            destinations.Add(items[k].Destination);
            ports.Add(items[k].Port);
        }

        for (var k = from; k < to; k++)
        {
            ref var r = ref result[items[k].Edge];
            r = (Math.Max(r.Workloads, destinations.Count), Math.Max(r.Ports, ports.Count));
        }
    }
}
