using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>
/// The shape of a scan: per source, how many destinations and ports it touched within one minute. The store keeps hourly
/// buckets with exact first and last seen, so an edge "touches" the minutes of its buckets' first and last connection;
/// a scan's one-connection edges land exactly, a steady edge is seen at its hour's edges (a lower bound for busy sources).
/// </summary>
internal static class SourceFanOut
{
    private const long TicksPerMinute = TimeSpan.TicksPerMinute;

    /// <summary>Per edge (same order): the most destinations and ports its source touched in any minute this edge was active.</summary>
    public static (int Workloads, int Ports)[] Compute(IReadOnlyList<EdgeActivity> edges, Func<Peer, int> peerId, CancellationToken cancellationToken)
    {
        // (source, minute, destination, port) touches, sorted so that each (source, minute) is a run
        var touches = new List<(int Source, long Minute, int Destination, int Port, int Edge)>(edges.Count * 2);
        for (var i = 0; i < edges.Count; i++)
        {
            var e = edges[i];
            var source = peerId(e.Edge.Source);
            var destination = peerId(e.Edge.Destination);
            var port = ((int)e.Edge.Protocol << 20) | ((e.Edge.Port ?? e.Edge.IcmpType ?? 0) & 0xFFFFF);
            long previous = -1;
            foreach (var h in e.Hours)
            {
                foreach (var t in new[] { h.FirstSeen, h.LastSeen })
                {
                    var minute = t.UtcTicks / TicksPerMinute;
                    if (minute != previous)
                    {
                        touches.Add((source, minute, destination, port, i));
                        previous = minute;
                    }
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        touches.Sort((a, b) => a.Source != b.Source ? a.Source.CompareTo(b.Source) : a.Minute.CompareTo(b.Minute));
        var result = new (int Workloads, int Ports)[edges.Count];
        var destinations = new HashSet<int>();
        var ports = new HashSet<int>();
        for (var start = 0; start < touches.Count;)
        {
            var end = start;
            destinations.Clear();
            ports.Clear();
            while (end < touches.Count && touches[end].Source == touches[start].Source && touches[end].Minute == touches[start].Minute)
            {
                destinations.Add(touches[end].Destination);
                ports.Add(touches[end].Port);
                end++;
            }

            for (var k = start; k < end; k++)
            {
                ref var r = ref result[touches[k].Edge];
                r = (Math.Max(r.Workloads, destinations.Count), Math.Max(r.Ports, ports.Count));
            }

            start = end;
        }

        return result;
    }
}
