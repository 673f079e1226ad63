using Inference.Core.Diff.Ends;
using Inference.Core.Diff.Rules;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Core.Diff.Sections;

/// <summary>
/// Deployed allow rules that admit (source, destination, port) combinations of the window's workloads, addresses and
/// served ports that no observed connection used. Counted, not enumerated: a rule's peer part is matched once against
/// each observed peer and its port part once against each served port, and the combinations are the products of those
/// counts (all-egress over 2,000 workloads is 2,000 peer checks, not millions of triples).
/// </summary>
internal static class OverBroadFinder
{
    private const int MaxUsedListed = 20;
    private const int MaxSamples = 5;

    public static IReadOnlyList<OverBroadItem> Find(RuleCatalog catalog, WorkloadEnds ends, Observations observed,
        IReadOnlyDictionary<DeployedRule, List<RuleHit>> hits, CancellationToken cancellationToken)
    {
        var universe = Universe(observed);
        var served = Served(observed);
        var items = new List<OverBroadItem>();
        foreach (var rule in catalog.Rules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rule.IsDeny || !rule.InEffect || rule.MatchesNothing)
            {
                continue;
            }

            var subjects = universe.Where(p => p.IsWorkload).Select(p => (Peer: p, Pods: ends.Pods(p).Where(rule.Selects).ToList()))
                .Where(s => s.Pods.Count > 0).ToList();
            if (subjects.Count == 0)
            {
                continue;
            }

            var representative = subjects[0].Pods[0];
            var egress = rule.Direction == PolicyDirection.Egress;
            // peer matching does not depend on which selected pod asks (Cilium's host locality aside): once per peer
            var admittedPeers = universe.Where(u => u.Entity != EntityKind.Host && ends.For(u).Any(e => rule.PeerMatches(e, representative))).ToList();
            var used = (hits.GetValueOrDefault(rule) ?? []).GroupBy(h => (h.Subject, h.Peer, h.Protocol, h.Port))
                .Select(g => new RuleUse(g.Key.Subject, g.Key.Peer, g.Key.Protocol, g.Key.Port, g.Sum(h => h.Connections), g.Max(h => h.LastSeen)))
                .OrderByDescending(u => u.Connections).ThenBy(u => u.Subject).ThenBy(u => u.Peer).ThenBy(u => u.Port).ToList();
            var usedSet = used.Select(u => (u.Subject, u.Peer, u.Protocol, u.Port)).ToHashSet();

            long admitted = 0;
            var samples = new List<string>();
            if (egress)
            {
                var portsPer = admittedPeers.ToDictionary(d => d, d => MatchingPorts(rule, served, d, ends.For(d)));
                var perSubject = portsPer.Values.Sum(p => (long)p.Count);
                admitted = perSubject * subjects.Count;
                foreach (var (s, _) in subjects)
                {
                    foreach (var d in admittedPeers)
                    {
                        Sample(samples, usedSet, s, d, s, d, portsPer[d]);
                    }
                }
            }
            else
            {
                foreach (var (s, pods) in subjects)
                {
                    var ports = MatchingPorts(rule, served, s, pods.Select(p => ConnectionEnd.ForPod(p)).ToList());
                    admitted += (long)ports.Count * admittedPeers.Count;
                    foreach (var src in admittedPeers)
                    {
                        Sample(samples, usedSet, s, src, src, s, ports);
                    }
                }
            }

            // ICMP and port-less uses are listed but not counted: the admitted side counts served TCP/UDP/SCTP ports only
            var usedCombinations = usedSet.Count(u => u.Item4 is not null && u.Item3 is L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp);
            var unused = admitted - usedCombinations;
            if ((unused <= 0 && !(rule.WideAddresses && used.Count > 0)) || (used.Count == 0 && rule.Allows.Count == 0))
            {
                // a narrow rule nobody used belongs in `unused`, not here
                continue;
            }

            items.Add(new OverBroadItem(rule.Ref, rule.Location, rule.Text, rule.Allows, [.. subjects.Select(s => s.Peer)], admitted, usedCombinations,
                admittedPeers.Count, used.Select(u => u.Peer).Distinct().Count(), [.. used.Take(MaxUsedListed)], samples, Narrowing(rule, used)));
        }

        return [.. items.OrderByDescending(i => i.AdmittedCombinations - i.UsedCombinations).ThenBy(i => i.Rule.Policy).ThenBy(i => i.Rule.Direction).ThenBy(i => i.Rule.SpecIndex).ThenBy(i => i.Rule.RuleIndex)];
    }

    /// <summary>Every peer of the window: observed workloads and both ends of every edge.</summary>
    private static List<Peer> Universe(Observations observed) =>
        [.. observed.Workloads.Select(w => w.Workload).Concat(observed.Edges.SelectMany(e => new[] { e.Edge.Source, e.Edge.Destination })).Distinct().Order()];

    /// <summary>The (protocol, port)s each destination served to a legitimate connection in the window.</summary>
    private static Dictionary<Peer, SortedSet<(L4Protocol Protocol, int Port)>> Served(Observations observed)
    {
        var result = new Dictionary<Peer, SortedSet<(L4Protocol, int)>>();
        foreach (var e in observed.Edges.Where(EdgeAnalyzer.IsLegitimate))
        {
            if (e.Edge.Port is not { } port || e.Edge.Protocol is not (L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp))
            {
                continue;
            }

            if (!result.TryGetValue(e.Edge.Destination, out var set))
            {
                result[e.Edge.Destination] = set = [];
            }

            set.Add((e.Edge.Protocol, port));
        }

        return result;
    }

    private static List<(L4Protocol Protocol, int Port)> MatchingPorts(DeployedRule rule, Dictionary<Peer, SortedSet<(L4Protocol, int)>> served,
        Peer destination, IReadOnlyList<ConnectionEnd> destinationEnds) =>
        served.TryGetValue(destination, out var ports)
            ? [.. ports.Where(p => destinationEnds.Any(d => rule.PortMatches(p.Item1, p.Item2, d)))]
            : [];

    private static void Sample(List<string> samples, HashSet<(Peer, Peer, L4Protocol, int?)> used, Peer subject, Peer peer, Peer source, Peer destination,
        List<(L4Protocol Protocol, int Port)> ports)
    {
        foreach (var (protocol, port) in ports)
        {
            if (samples.Count >= MaxSamples)
            {
                return;
            }

            if (!used.Contains((subject, peer, protocol, port)))
            {
                samples.Add($"{source} -> {destination} {protocol.ToWire()}/{port}");
            }
        }
    }

    private static string Narrowing(DeployedRule rule, List<RuleUse> used)
    {
        if (used.Count == 0)
        {
            return "no observed connection used this rule: remove it, or narrow it to the peers and ports you expect";
        }

        var peers = used.Select(u => u.Peer).Distinct().Order().ToList();
        var ports = used.Select(u => u.Port is { } p ? $"{u.Protocol.ToWire()}/{p}" : u.Protocol.ToWire()).Distinct().Order(StringComparer.Ordinal).ToList();
        var side = rule.Direction == PolicyDirection.Ingress ? "from" : "to";
        var peerText = peers.Count <= 5 ? string.Join(", ", peers) : $"{peers.Count} peers";
        return $"narrow `{side}` to what was used ({peerText}) and `ports` to {string.Join(", ", ports)}";
    }
}
