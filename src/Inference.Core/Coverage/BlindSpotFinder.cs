using System.Globalization;
using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Coverage;

/// <summary>Where the window may be missing traffic: lost events, unavailable nodes, read gaps, silent node hours, no DNS visibility.</summary>
internal static class BlindSpotFinder
{
    public const string NodePresenceUnrecorded =
        "hours with no flows from a node: not checked, no per-node flow presence is recorded for this window (node_hours is empty: flows ingested before schema 3, or by an ingest that does not record it)";

    public static List<BlindSpot> Find(WindowActivity window, List<string> notes)
    {
        var spots = new List<BlindSpot>();
        var inputs = window.BlindSpots;
        foreach (var l in inputs.LostEvents)
        {
            spots.Add(new BlindSpot("lost-events", l.Node, l.First, l.Last,
                $"{l.Count.ToString("N0", CultureInfo.InvariantCulture)} events lost by {l.LostBy} (source {l.Source}): connections in that time may be missing"));
        }

        foreach (var n in inputs.UnavailableNodes)
        {
            spots.Add(new BlindSpot("node-unavailable", n.Node, n.At, null,
                $"{n.State} reported by {n.Source}{(n.Message is null ? "" : ": " + n.Message)}: flows from this node may be missing"));
        }

        foreach (var g in inputs.Gaps)
        {
            spots.Add(new BlindSpot("read-gap", g.Node ?? "all nodes", g.From, g.To, $"{g.Reason} (source {g.Source})"));
        }

        if (inputs.NodeHours is null || inputs.NodeHours.Count == 0)
        {
            notes.Add(NodePresenceUnrecorded);
        }
        else
        {
            spots.AddRange(SilentNodeHours(window, inputs.NodeHours));
        }

        spots.AddRange(NoDnsVisibility(window));
        return spots;
    }

    /// <summary>Runs of clock hours inside the window in which a node that reported flows at some point reported none.</summary>
    private static IEnumerable<BlindSpot> SilentNodeHours(WindowActivity window, IReadOnlyDictionary<string, IReadOnlySet<DateTimeOffset>> nodeHours)
    {
        var first = Hour(window.Start);
        var last = Hour(window.End);
        foreach (var (node, hours) in nodeHours.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            DateTimeOffset? runStart = null;
            for (var h = first; h <= last; h = h.AddHours(1))
            {
                if (!hours.Contains(h))
                {
                    runStart ??= h;
                    continue;
                }

                if (runStart is { } s)
                {
                    yield return Silent(node, s, h);
                    runStart = null;
                }
            }

            if (runStart is { } open)
            {
                yield return Silent(node, open, last.AddHours(1));
            }
        }
    }

    private static BlindSpot Silent(string node, DateTimeOffset from, DateTimeOffset to) =>
        new("node-silent", node, from, to, $"no flows from this node for {(to - from).TotalHours.ToString("0", CultureInfo.InvariantCulture)}h: idle, or its agent was not reporting");

    /// <summary>Workloads that send DNS queries (port 53) or reach external addresses, with no DNS answer ever recorded for them.</summary>
    private static IEnumerable<BlindSpot> NoDnsVisibility(WindowActivity window)
    {
        var blind = new SortedDictionary<Peer, string>();
        foreach (var e in window.Edges)
        {
            var source = e.Edge.Source;
            if (!source.IsWorkload || window.DnsVisibleClients.Contains(source) || blind.ContainsKey(source))
            {
                continue;
            }

            if (e.Edge.Port == 53 && e.Edge.Protocol is L4Protocol.Udp or L4Protocol.Tcp)
            {
                blind[source] = "sends DNS queries but no DNS answers were recorded (no L7 DNS visibility)";
            }
            else if (e.Edge.Destination.Entity is EntityKind.World && e.Edge.Destination.Names.Count == 0)
            {
                blind[source] = $"reaches external address {e.Edge.Destination.Ip} with no DNS name known";
            }
        }

        return blind.Select(b => new BlindSpot("no-dns-visibility", b.Key.ToString(), null, null,
            b.Value + ": FQDN-based rules cannot be suggested for its external traffic"));
    }

    private static DateTimeOffset Hour(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
}
