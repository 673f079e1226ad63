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

    public static RuleEvidence From(IEnumerable<ObservedEdge> edges)
    {
        var list = edges.OrderBy(e => e.Edge).ToList();
        var verdicts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            foreach (var (k, v) in e.Verdicts)
            {
                verdicts[k] = verdicts.GetValueOrDefault(k) + v;
            }
        }

        // distinct source pods: per source the largest edge count, summed over sources (pods of different sources differ)
        var pods = list.GroupBy(e => e.Edge.Source).Sum(g => g.Max(e => e.DistinctSourcePods));
        return new RuleEvidence([.. list.Select(e => e.Edge)], list.Sum(e => e.Connections),
            list.Count == 0 ? null : list.Min(e => e.FirstSeen), list.Count == 0 ? null : list.Max(e => e.LastSeen), pods, verdicts);
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
