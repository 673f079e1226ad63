using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Inference.Rules;

/// <summary>
/// Collects, per subject workload and direction, the ports and ICMP types each peer used, then groups peers with the
/// same port set into one rule. Everything is keyed by strings and sorted, so input order never shows in the result.
/// </summary>
internal sealed class RuleAccumulator
{
    private readonly Dictionary<(Peer Subject, PolicyDirection Direction), SortedDictionary<string, Entry>> _entries = [];

    public void Add(Peer subject, PolicyDirection direction, IReadOnlyList<RulePeer> peers, IEnumerable<RulePort> ports, RuleIcmp? icmp, ObservedEdge edge)
    {
        if (!_entries.TryGetValue((subject, direction), out var map))
        {
            _entries[(subject, direction)] = map = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        }

        var key = peers.Count == 1 ? peers[0].SortKey : string.Join("\u0001", peers.Select(p => p.SortKey).Order(StringComparer.Ordinal));
        if (!map.TryGetValue(key, out var entry))
        {
            map[key] = entry = new Entry([.. peers.OrderBy(p => p.SortKey, StringComparer.Ordinal)]);
        }

        if (icmp is not null)
        {
            entry.Icmps.Add(icmp);
            entry.IcmpEdges.Add(edge);
        }
        else
        {
            entry.Ports.AddRange(ports);
            entry.PortEdges.Add(edge);
        }
    }

    public bool Has(Peer subject) => _entries.ContainsKey((subject, PolicyDirection.Ingress)) || _entries.ContainsKey((subject, PolicyDirection.Egress));

    public bool AnyPeer(Func<RulePeer, bool> predicate) => _entries.Values.SelectMany(m => m.Values).SelectMany(e => e.Peers).Any(predicate);

    /// <summary>The rules of one direction: one per distinct port set (per peer kind for Cilium), ICMP rules last.</summary>
    public List<SuggestedRule> Rules(Peer subject, PolicyDirection direction, bool cilium, bool portRanges)
    {
        if (!_entries.TryGetValue((subject, direction), out var map))
        {
            return [];
        }

        var portGroups = new SortedDictionary<string, (List<RulePeer> Peers, List<RulePort> Ports, List<ObservedEdge> Edges)>(StringComparer.Ordinal);
        var icmpGroups = new SortedDictionary<string, (List<RulePeer> Peers, List<RuleIcmp> Icmps, List<ObservedEdge> Edges)>(StringComparer.Ordinal);
        foreach (var entry in map.Values)
        {
            var group = cilium ? KindGroup(entry.Peers[0].Kind) : "";
            if (entry.PortEdges.Count > 0)
            {
                var ports = PortSets.Normalize(entry.Ports, portRanges);
                var key = group + "|" + PortSets.Key(ports);
                if (!portGroups.TryGetValue(key, out var g))
                {
                    portGroups[key] = g = ([], ports, []);
                }

                g.Peers.AddRange(entry.Peers);
                g.Edges.AddRange(entry.PortEdges);
            }

            if (entry.IcmpEdges.Count > 0)
            {
                var icmps = entry.Icmps.Distinct().OrderBy(i => i.IsV6).ThenBy(i => i.Type).ToList();
                var key = group + "|" + string.Join(",", icmps.Select(i => $"{(i.IsV6 ? 6 : 4)}:{i.Type}"));
                if (!icmpGroups.TryGetValue(key, out var g))
                {
                    icmpGroups[key] = g = ([], icmps, []);
                }

                g.Peers.AddRange(entry.Peers);
                g.Edges.AddRange(entry.IcmpEdges);
            }
        }

        var rules = new List<SuggestedRule>();
        foreach (var g in portGroups.Values)
        {
            rules.Add(new SuggestedRule(direction, rules.Count, Distinct(g.Peers), g.Ports, [], RuleEvidence.From(g.Edges)));
        }

        foreach (var g in icmpGroups.Values)
        {
            rules.Add(new SuggestedRule(direction, rules.Count, Distinct(g.Peers), [], g.Icmps, RuleEvidence.From(g.Edges)));
        }

        return rules;
    }

    private static List<RulePeer> Distinct(IEnumerable<RulePeer> peers) =>
        [.. peers.DistinctBy(p => p.SortKey).OrderBy(p => p.SortKey, StringComparer.Ordinal)];

    // Cilium rejects a rule that mixes kinds of L3 selector (Sanitize: "combining ToEndpoints and ToCIDR is not supported")
    private static string KindGroup(RulePeerKind kind) => kind switch
    {
        RulePeerKind.Workload => "0",
        RulePeerKind.AllPods or RulePeerKind.Entity => "1",
        RulePeerKind.Cidr => "2",
        _ => "3",
    };

    private sealed class Entry(List<RulePeer> peers)
    {
        public List<RulePeer> Peers { get; } = peers;
        public List<RulePort> Ports { get; } = [];
        public List<RuleIcmp> Icmps { get; } = [];
        public List<ObservedEdge> PortEdges { get; } = [];
        public List<ObservedEdge> IcmpEdges { get; } = [];
    }
}
