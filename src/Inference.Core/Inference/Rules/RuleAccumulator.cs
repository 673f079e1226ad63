using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Inference.Rules;

/// <summary>
/// Collects, per subject workload and direction, the ports and ICMP types each peer used, then groups peers with the
/// same port set into one rule. Everything is keyed by strings and sorted, so input order never shows in the result.
/// </summary>
internal sealed class RuleAccumulator
{
    // the edges of each subject and direction are only listed while collecting (one array per list, not objects per peer, which
    // would all outlive the edge loop and be copied by every collection); they are grouped when the subject's rules are made
    private readonly Dictionary<(Peer Subject, PolicyDirection Direction), List<Item>> _items = [];

    public void Add(Peer subject, PolicyDirection direction, IReadOnlyList<RulePeer> peers, IReadOnlyList<RulePort> ports, RuleIcmp? icmp, ObservedEdge edge)
    {
        if (!_items.TryGetValue((subject, direction), out var list))
        {
            _items[(subject, direction)] = list = [];
        }

        list.Add(new Item(peers, ports, icmp, edge));
    }

    // shared port objects recur across thousands of rules: their group key text is made once each
    private readonly Dictionary<RulePort, string> _portKeys = new(ReferenceEqualityComparer.Instance);

    private string PortKey(RulePort port)
    {
        if (!_portKeys.TryGetValue(port, out var key))
        {
            _portKeys[port] = key = "|" + port.Key;
        }

        return key;
    }

    public bool Has(Peer subject) => _items.ContainsKey((subject, PolicyDirection.Ingress)) || _items.ContainsKey((subject, PolicyDirection.Egress));

    public bool AnyPeer(Func<RulePeer, bool> predicate)
    {
        foreach (var list in _items.Values)
        {
            foreach (var item in list)
            {
                foreach (var peer in item.Peers)
                {
                    if (predicate(peer))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>The peer sets of one subject and direction, with the ports and ICMP types each used, keyed by the peers' sort keys.</summary>
    private Dictionary<string, Entry>? Entries(Peer subject, PolicyDirection direction)
    {
        if (!_items.TryGetValue((subject, direction), out var list))
        {
            return null;
        }

        var map = new Dictionary<string, Entry>(list.Count, StringComparer.Ordinal);
        foreach (var (peers, ports, icmp, edge) in list)
        {
            var key = peers.Count == 1 ? peers[0].SortKey : string.Join("\u0001", peers.Select(p => p.SortKey).Order(StringComparer.Ordinal));
            if (!map.TryGetValue(key, out var entry))
            {
                // a single peer list is the mapper's shared, never-modified array: kept as is
                map[key] = entry = new Entry(peers.Count == 1 ? peers : [.. peers.OrderBy(p => p.SortKey, StringComparer.Ordinal)]);
            }

            if (icmp is not null)
            {
                (entry.Icmps ??= []).Add(icmp);
                (entry.IcmpEdges ??= []).Add(edge);
            }
            else
            {
                entry.AddPorts(ports);
                (entry.PortEdges ??= []).Add(edge);
            }
        }

        return map;
    }

    /// <summary>The rules of one direction: one per distinct port set (per peer kind for Cilium), ICMP rules last.</summary>
    public List<SuggestedRule> Rules(Peer subject, PolicyDirection direction, bool cilium, bool portRanges)
    {
        if (Entries(subject, direction) is not { } map)
        {
            return [];
        }

        var portGroups = new SortedDictionary<string, PortGroup>(StringComparer.Ordinal);
        var icmpGroups = new SortedDictionary<string, (List<RulePeer> Peers, List<RuleIcmp> Icmps, List<ObservedEdge> Edges)>(StringComparer.Ordinal);
        var entries = map.ToArray();
        Array.Sort(entries, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (_, entry) in entries)
        {
            var group = cilium ? KindGroup(entry.Peers[0].Kind) : "";
            if (entry.PortEdges is { Count: > 0 })
            {
                var ports = entry.NormalizedPorts(portRanges);
                var key = group + (ports.Count == 1 ? PortKey(ports[0]) : "|" + PortSets.Key(ports));
                if (!portGroups.TryGetValue(key, out var g))
                {
                    portGroups[key] = g = new PortGroup(ports, entry.Peers);
                }

                g.Peers.AddRange(entry.Peers);
                g.Edges.AddRange(entry.PortEdges);
                g.Entries++;
            }

            if (entry.Icmps is not null && entry.IcmpEdges is { Count: > 0 })
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
            // one peer: the mapper's shared array, not a copy per rule. One peer per entry: entries came in key order and a
            // one-peer entry's key is its peer's sort key, so the peers are already distinct and sorted
            var peers = g.Peers.Count == 1 ? g.FirstPeers : g.Peers.Count == g.Entries ? g.Peers.ToArray() : Distinct(g.Peers);
            rules.Add(new SuggestedRule(direction, rules.Count, peers, g.Ports, [], RuleEvidence.FromOwned(g.Edges)));
        }

        foreach (var g in icmpGroups.Values)
        {
            rules.Add(new SuggestedRule(direction, rules.Count, Distinct(g.Peers), [], g.Icmps, RuleEvidence.From(g.Edges)));
        }

        return rules;
    }

    private static IReadOnlyList<RulePeer> Distinct(List<RulePeer> peers) =>
        peers.Count == 1 ? [peers[0]] : [.. peers.DistinctBy(p => p.SortKey).OrderBy(p => p.SortKey, StringComparer.Ordinal)];

    // Cilium rejects a rule that mixes kinds of L3 selector (Sanitize: "combining ToEndpoints and ToCIDR is not supported")
    private static string KindGroup(RulePeerKind kind) => kind switch
    {
        RulePeerKind.Workload => "0",
        RulePeerKind.AllPods or RulePeerKind.Entity => "1",
        RulePeerKind.Cidr => "2",
        _ => "3",
    };

    private sealed class PortGroup(IReadOnlyList<RulePort> ports, IReadOnlyList<RulePeer> firstPeers)
    {
        public List<RulePeer> Peers { get; } = [];
        public IReadOnlyList<RulePort> Ports { get; } = ports;
        public List<ObservedEdge> Edges { get; } = [];
        public IReadOnlyList<RulePeer> FirstPeers { get; } = firstPeers;
        public int Entries { get; set; }
    }

    private readonly record struct Item(IReadOnlyList<RulePeer> Peers, IReadOnlyList<RulePort> Ports, RuleIcmp? Icmp, ObservedEdge Edge);

    /// <summary>One peer set of a subject and direction. Lists are made when first needed: most peers carry one port and no ICMP.</summary>
    private sealed class Entry(IReadOnlyList<RulePeer> peers)
    {
        // the first port list added is kept as given (shared and never modified); a second one starts a list of our own
        private IReadOnlyList<RulePort>? _first;
        private List<RulePort>? _more;

        public IReadOnlyList<RulePeer> Peers { get; } = peers;
        public List<RuleIcmp>? Icmps { get; set; }
        public List<ObservedEdge>? PortEdges { get; set; }
        public List<ObservedEdge>? IcmpEdges { get; set; }

        public void AddPorts(IReadOnlyList<RulePort> ports)
        {
            if (_first is null)
            {
                _first = ports;
            }
            else if (_more is null)
            {
                _more = [.. _first, .. ports];
            }
            else
            {
                _more.AddRange(ports);
            }
        }

        /// <summary>The ports, sorted and de-duplicated (and merged into ranges when asked).</summary>
        public IReadOnlyList<RulePort> NormalizedPorts(bool ranges) =>
            _more is null && _first is { Count: 1 } single && (!ranges || single[0].EndPort is null)
                ? single
                : PortSets.Normalize((IEnumerable<RulePort>?)_more ?? _first ?? [], ranges);
    }
}
