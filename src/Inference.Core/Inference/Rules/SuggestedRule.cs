using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Inference.Rules;

/// <summary>What one rule rests on: the observed edges it was made from and their totals.</summary>
public sealed record RuleEvidence(
    IReadOnlyList<EdgeKey> Edges,
    long Connections,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    long DistinctSourcePods,
    IReadOnlyDictionary<string, long> Verdicts)
{
    public static RuleEvidence None { get; } = new([], 0, null, null, 0, new SortedDictionary<string, long>(StringComparer.Ordinal));

    public static RuleEvidence From(IEnumerable<ObservedEdge> edges) => FromOwned(edges.ToList());

    /// <summary>As <see cref="From"/>, for a list the caller hands over: it is sorted in place, not copied.</summary>
    internal static RuleEvidence FromOwned(List<ObservedEdge> list)
    {
        if (list.Count == 0)
        {
            return new RuleEvidence([], 0, null, null, 0, new SortedDictionary<string, long>(StringComparer.Ordinal));
        }

        if (list.Count == 1 && list[0].Verdicts is SortedDictionary<string, long> { Comparer: var comparer } sorted && ReferenceEquals(comparer, StringComparer.Ordinal))
        {
            // one edge (most rules): its totals as they are, and its verdict map (the store's, already ordinal-sorted) shared, not copied
            var e = list[0];
            return new RuleEvidence([e.Edge], e.Connections, e.FirstSeen, e.LastSeen, e.DistinctSourcePods, sorted);
        }

        // one pass over the edges in key order: a rule has a few edges, and there are many rules
        list.Sort(static (a, b) => a.Edge.CompareTo(b.Edge));
        var keys = new EdgeKey[list.Count];
        var verdicts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long connections = 0, pods = 0, sourcePods = 0;
        var first = list[0].FirstSeen;
        var last = list[0].LastSeen;
        Peer? source = null;
        for (var i = 0; i < list.Count; i++)
        {
            var e = list[i];
            keys[i] = e.Edge;
            connections += e.Connections;
            first = e.FirstSeen < first ? e.FirstSeen : first;
            last = e.LastSeen > last ? e.LastSeen : last;
            foreach (var (k, v) in e.Verdicts)
            {
                verdicts[k] = verdicts.GetValueOrDefault(k) + v;
            }

            // distinct source pods: per source the largest edge count, summed over sources (pods of different sources differ);
            // edges sorted by key come grouped by source
            if (!e.Edge.Source.Equals(source))
            {
                pods += sourcePods;
                source = e.Edge.Source;
                sourcePods = 0;
            }

            sourcePods = Math.Max(sourcePods, e.DistinctSourcePods);
        }

        return new RuleEvidence(keys, connections, first, last, pods + sourcePods, verdicts);
    }
}

/// <summary>
/// One suggested rule: its peers and ports (or ICMP types), with evidence. <see cref="Index"/> is its position in the
/// policy's ingress or egress list as written.
/// </summary>
public sealed record SuggestedRule(
    PolicyDirection Direction,
    int Index,
    IReadOnlyList<RulePeer> Peers,
    IReadOnlyList<RulePort> Ports,
    IReadOnlyList<RuleIcmp> Icmps,
    RuleEvidence Evidence,
    string? Comment = null)
{
    public bool IsIcmp => Icmps.Count > 0;
}
