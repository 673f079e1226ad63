using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference.Building;
using Inference.Core.Inference.L7;
using Inference.Core.Inference.Rules;
using Inference.Core.Inference.Selectors;
using Inference.Core.Inference.Verification;
using Inference.Core.Policies;

namespace Inference.Core.Inference;

/// <summary>
/// From observed connections to minimal allow policies, verified before they are returned: per namespace a
/// default-deny and a DNS policy, per workload one policy covering both directions. Pure: no I/O, no clock, and the
/// same observations in any order give the same suggestion.
/// </summary>
public static class Suggester
{
    public static Suggestion Suggest(Observations input, SuggestOptions options, CancellationToken cancellationToken) =>
        Suggest(input, options, phaseDone: null, cancellationToken);

    /// <param name="phaseDone">Called with a phase's name as each ends (selectors, rules, policies, verification, exposure): the benchmark's breakdown.</param>
    public static Suggestion Suggest(Observations input, SuggestOptions options, Action<string>? phaseDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var format = options.Format;
        var cilium = format == SuggestFormat.Cilium;
        var notes = new List<string>();

        var workloads = CollectWorkloads(input);
        var scope = options.Namespaces.Count > 0
            ? new SortedSet<string>(options.Namespaces, StringComparer.Ordinal)
            : new SortedSet<string>(workloads.Keys.Select(w => w.Namespace!), StringComparer.Ordinal);
        // asked several times per edge: hashed, not the sorted set's string comparisons
        var scopeSet = scope.ToHashSet(StringComparer.Ordinal);
        bool InScope(Peer p) => p.IsWorkload && scopeSet.Contains(p.Namespace!);

        var selectors = SelectorChooser.Choose(workloads.Values, input.Pods, format, cancellationToken);
        notes.AddRange(selectors.Values.Where(s => InScope(s.Workload) && s.Note is not null).OrderBy(s => s.Workload).Select(s => s.Note!));

        phaseDone?.Invoke("selectors");

        var edges = input.Edges.Where(e => InScope(e.Edge.Source) || InScope(e.Edge.Destination)).OrderBy(e => e.Edge).ToList();
        var evidence = edges.Where(e => e.Allowed > 0 && !e.IsHostProbe).ToList();
        var dropped = edges.Where(e => e.Allowed == 0 && e.Dropped > 0).ToList();
        var dnsEdges = input.Dns.Select(d => d.Edge).ToHashSet();
        var http = options.L7 && cilium
            ? input.Http.GroupBy(h => h.Edge).ToDictionary(g => g.Key, g => g.OrderBy(h => h.Method, StringComparer.Ordinal).ThenBy(h => h.Path, StringComparer.Ordinal).ToList())
            : [];

        var mapper = new PeerMapper(selectors, format);
        var rules = new RuleAccumulator();
        var resolvers = new SortedDictionary<string, (IReadOnlyList<RulePeer> Peers, SortedSet<int> Ports)>(StringComparer.Ordinal);
        var dnsEvidence = new Dictionary<string, List<ObservedEdge>>(StringComparer.Ordinal);
        var uncovered = new List<UncoveredEdge>();
        var covered = new List<ObservedEdge>();
        var icmpUnverified = 0;
        var portLists = new Dictionary<(L4Protocol, int), RulePort[]>();
        foreach (var edge in evidence)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = edge.Edge;
            var icmp = key.Protocol == L4Protocol.Icmp;
            if (icmp && !cilium)
            {
                uncovered.Add(new UncoveredEdge(edge, ModelFactory.IcmpNote(key)));
                continue;
            }

            RuleIcmp? icmpType = icmp ? new RuleIcmp(key.IcmpType ?? 0, IsV6(key) || key.IcmpType >= 128) : null;
            var isDns = !icmp && key.Source.IsWorkload && IsResolver(key.Destination) && (key.Port == 53 || dnsEdges.Contains(key))
                && key.Protocol is L4Protocol.Udp or L4Protocol.Tcp;
            // at most two rule sides per edge, applied only when neither end has a reason against it
            List<string>? reasons = null;
            PendingSide? egressSide = null, ingressSide = null;
            IReadOnlyList<RulePeer>? resolverPeers = null;
            if (InScope(key.Source))
            {
                if (isDns)
                {
                    // every pod of the namespace may resolve: one _dns policy instead of a DNS rule in each workload policy
                    var (peers, reason) = ResolverPeers(key.Destination, mapper);
                    if (reason is not null)
                    {
                        (reasons ??= []).Add(reason);
                    }
                    else
                    {
                        resolverPeers = peers;
                    }
                }
                else
                {
                    egressSide = Side(key.Source, PolicyDirection.Egress, key.Destination, egress: true, ref reasons);
                }
            }

            if (InScope(key.Destination))
            {
                if (isDns)
                {
                    // the cluster resolver answers every pod; listing today's clients would break tomorrow's
                    if (Subject(key.Destination) is { } why)
                    {
                        (reasons ??= []).Add(why);
                    }
                    else
                    {
                        ingressSide = new PendingSide(key.Destination, PolicyDirection.Ingress, AllPodsPeers, [.. PortSets.BothDnsProtocols(key.Port!.Value, false)]);
                    }
                }
                else
                {
                    ingressSide = Side(key.Destination, PolicyDirection.Ingress, key.Source, egress: false, ref reasons);
                }
            }

            if (reasons is not null)
            {
                uncovered.Add(new UncoveredEdge(edge, string.Join("; ", reasons.Distinct(StringComparer.Ordinal))));
                continue;
            }

            // an edge becomes rules only when both of its ends can be expressed: half a rule would verify nothing
            if (resolverPeers is not null)
            {
                var id = resolverPeers.Count == 1 ? resolverPeers[0].SortKey : string.Join(",", resolverPeers.Select(p => p.SortKey));
                if (!resolvers.TryGetValue(id, out var r))
                {
                    resolvers[id] = r = (resolverPeers, []);
                }

                r.Ports.Add(key.Port!.Value);
                Add(dnsEvidence, key.Source.Namespace!, edge);
            }

            if (egressSide is { } e)
            {
                rules.Add(e.Subject, e.Direction, e.Peers, e.Ports, icmpType, edge);
            }

            if (ingressSide is { } i)
            {
                rules.Add(i.Subject, i.Direction, i.Peers, i.Ports, icmpType, edge);
            }

            if (icmp)
            {
                icmpUnverified++;
            }
            else
            {
                covered.Add(edge);
            }

            PendingSide? Side(Peer subject, PolicyDirection direction, Peer other, bool egress, ref List<string>? reasons)
            {
                if (Subject(subject) is { } why)
                {
                    (reasons ??= []).Add(why);
                    return null;
                }

                var (peers, reason) = mapper.Map(other, egress);
                if (reason is not null)
                {
                    (reasons ??= []).Add(reason);
                    return null;
                }

                return new PendingSide(subject, direction, peers, icmp ? [] : Ports(edge, direction, http, portLists));
            }
        }

        string? Subject(Peer workload) =>
            selectors.TryGetValue(workload, out var s) && s.Selector is not null ? null : $"{workload} cannot be selected (its pods share no stable label)";

        if (icmpUnverified > 0)
        {
            notes.Add($"{icmpUnverified} ICMP edges are written as icmps rules but not verified: the evaluator does not model ICMP");
        }

        phaseDone?.Invoke("rules");
        var dnsProxy = cilium && rules.AnyPeer(p => p.Kind == RulePeerKind.Fqdn);
        var policies = new List<SuggestedPolicy>();
        var parts = new ModelFactory.ModelParts();
        var noTraffic = new List<Peer>();
        var active = new HashSet<Peer>();
        foreach (var e in evidence)
        {
            if (e.Edge.Source.IsWorkload)
            {
                active.Add(e.Edge.Source);
            }

            if (e.Edge.Destination.IsWorkload)
            {
                active.Add(e.Edge.Destination);
            }
        }

        var byNamespace = workloads.Keys.GroupBy(w => w.Namespace!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var ns in scope)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var members = byNamespace.GetValueOrDefault(ns) ?? [];
            policies.Add(Policy(SuggestedPolicyKind.DefaultDeny, ns, PolicyNames.DefaultDeny, PolicyNames.DefaultDenyFile, null, LabelSelector.Everything, [], []));
            if (resolvers.Count > 0)
            {
                policies.Add(DnsPolicy(ns, resolvers, dnsEvidence.GetValueOrDefault(ns) ?? [], dnsProxy, format));
            }

            var names = PolicyNames.ForNamespace(members);
            foreach (var w in members)
            {
                if (!active.Contains(w))
                {
                    noTraffic.Add(w);
                    continue;
                }

                if (!rules.Has(w))
                {
                    continue;
                }

                var ingress = rules.Rules(w, PolicyDirection.Ingress, cilium, options.PortRanges);
                var egress = rules.Rules(w, PolicyDirection.Egress, cilium, options.PortRanges);
                policies.Add(Policy(SuggestedPolicyKind.Workload, ns, names[w], names[w] + ".yaml", w, selectors[w].Selector!, ingress, egress));
            }
        }

        if (resolvers.Count == 0 && evidence.Count > 0)
        {
            notes.Add("no DNS traffic to a cluster resolver was observed, so no _dns policy is written: with default-deny, pods will not resolve names");
        }

        if (options.L7 && !cilium)
        {
            notes.Add("--l7 applies to the Cilium format only; no L7 rules were written");
        }
        else if (options.L7 && http.Count == 0)
        {
            notes.Add("--l7: no HTTP records were observed (Hubble shows HTTP only where an L7 policy or visibility annotation is in force); rules stay L4");
        }

        phaseDone?.Invoke("policies");

        // verify: the evaluator replays every covered connection against exactly the objects that will be written
        var set = PolicySet.Create(policies.Select(p => p.Model));
        var evaluator = new PolicyEvaluator(set);
        // pods that differ only in labels no selector reads are decided alike: one variant each is exact
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in policies)
        {
            AddKeys(referenced, p.Selector);
            foreach (var r in p.Ingress.Concat(p.Egress))
            {
                foreach (var peer in r.Peers)
                {
                    AddKeys(referenced, peer.Selector);
                }
            }
        }

        var ends = new ProbeEnds(workloads.Values, input.Pods, referenced);
        notes.AddRange(ends.Capped().Where(c => InScope(c.Workload)).Select(c => $"{c.Workload}: verified with {ProbeEnds.MaxVariants} of its {c.Variants} pod label variants"));
        var verification = SuggestionVerifier.Verify(evaluator, ends, covered, evidence, http, cancellationToken);

        phaseDone?.Invoke("verification");

        var served = new Dictionary<Peer, SortedSet<(L4Protocol, int)>>();
        foreach (var e in evidence.Where(e => InScope(e.Edge.Destination) && e.Edge.Protocol != L4Protocol.Icmp && e.Edge.Port is not null))
        {
            if (!served.TryGetValue(e.Edge.Destination, out var ports))
            {
                served[e.Edge.Destination] = ports = [];
            }

            ports.Add((e.Edge.Protocol, e.Edge.Port!.Value));
        }

        var exposure = ExposureCounter.Count(evaluator, ends, workloads, policies, served, cancellationToken);
        phaseDone?.Invoke("exposure");
        return new Suggestion(options, policies, uncovered, dropped, noTraffic, notes, verification, exposure,
            evidence.Count == 0 ? null : evidence.Min(e => e.FirstSeen), evidence.Count == 0 ? null : evidence.Max(e => e.LastSeen));

        SuggestedPolicy Policy(SuggestedPolicyKind kind, string ns, string name, string file, Peer? workload, LabelSelector selector,
            IReadOnlyList<SuggestedRule> ingress, IReadOnlyList<SuggestedRule> egress) =>
            new(kind, ns, name, file, workload, selector, ingress, egress, ModelFactory.Build(format, kind, ns, name, file, selector, ingress, egress, parts));
    }

    private static SuggestedPolicy DnsPolicy(string ns, SortedDictionary<string, (IReadOnlyList<RulePeer> Peers, SortedSet<int> Ports)> resolvers,
        List<ObservedEdge> evidence, bool proxy, SuggestFormat format)
    {
        // one rule per distinct port set (53, or 5353 on OpenShift), each on UDP and TCP
        var rules = resolvers.Values.GroupBy(r => string.Join(",", r.Ports))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select((g, i) => new SuggestedRule(PolicyDirection.Egress, i,
                [.. g.SelectMany(r => r.Peers).DistinctBy(p => p.SortKey).OrderBy(p => p.SortKey, StringComparer.Ordinal)],
                PortSets.Normalize(g.First().Ports.SelectMany(p => PortSets.BothDnsProtocols(p, proxy)), false), [],
                RuleEvidence.From(evidence.Where(e => g.Any(r => r.Ports.Contains(e.Edge.Port ?? 0))))))
            .ToList();
        if (format == SuggestFormat.Cilium)
        {
            // Cilium rejects a rule mixing endpoints, entities and CIDRs: split by kind
            rules = [.. rules.SelectMany(r => r.Peers.GroupBy(p => p.Kind == RulePeerKind.Workload ? 0 : p.Kind == RulePeerKind.Cidr ? 2 : 1)
                .OrderBy(g => g.Key).Select(g => r with { Peers = [.. g] }))
                .Select((r, i) => r with { Index = i })];
        }

        var model = ModelFactory.Build(format, SuggestedPolicyKind.Dns, ns, PolicyNames.Dns, PolicyNames.DnsFile, LabelSelector.Everything, [], rules);
        return new SuggestedPolicy(SuggestedPolicyKind.Dns, ns, PolicyNames.Dns, PolicyNames.DnsFile, null, LabelSelector.Everything, [], rules, model);
    }

    private static SortedDictionary<Peer, ObservedWorkload> CollectWorkloads(Observations input)
    {
        // the store has one row per workload; should a caller pass two, the first by label text wins, whatever the order
        var byPeer = new Dictionary<Peer, ObservedWorkload>();
        Dictionary<Peer, string>? labelTexts = null;
        string LabelText(ObservedWorkload w) => string.Join(",", w.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        foreach (var w in input.Workloads)
        {
            if (!byPeer.TryGetValue(w.Workload, out var seen))
            {
                byPeer[w.Workload] = w;
                continue;
            }

            labelTexts ??= [];
            if (!labelTexts.TryGetValue(w.Workload, out var seenText))
            {
                labelTexts[w.Workload] = seenText = LabelText(seen);
            }

            var text = LabelText(w);
            if (string.CompareOrdinal(text, seenText) < 0)
            {
                byPeer[w.Workload] = w;
                labelTexts[w.Workload] = text;
            }
        }

        var empty = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in input.Edges)
        {
            foreach (var end in (ReadOnlySpan<Peer>)[e.Edge.Source, e.Edge.Destination])
            {
                if (end.IsWorkload && !byPeer.ContainsKey(end))
                {
                    byPeer[end] = new ObservedWorkload(end, empty, empty);
                }
            }
        }

        return new SortedDictionary<Peer, ObservedWorkload>(byPeer);
    }

    /// <summary>A cluster resolver: a pod, the node (NodeLocal DNSCache, hostNetwork CoreDNS), or a link-local address.</summary>
    private static bool IsResolver(Peer end) =>
        end.IsWorkload || end.Entity is EntityKind.Host or EntityKind.RemoteNode
        || (end.Entity is EntityKind.World or EntityKind.Private && end.Ip is not null && IsLinkLocal(end.Ip));

    private static bool IsLinkLocal(string ip) =>
        IpAddressBits.TryParse(ip, out var a) && (IpPrefix.TryParse("169.254.0.0/16", out var v4) && v4.Contains(a) || IpPrefix.TryParse("fe80::/10", out var v6) && v6.Contains(a));

    private static (IReadOnlyList<RulePeer> Peers, string? Reason) ResolverPeers(Peer resolver, PeerMapper mapper)
    {
        if (resolver.Entity is EntityKind.World or EntityKind.Private && resolver.Ip is not null && IpPrefix.TryParse(resolver.Ip, out var prefix))
        {
            // NodeLocal DNSCache (169.254.20.10) and GKE's metadata resolver are addresses, never names
            return ([RulePeer.ForCidr(prefix)], null);
        }

        var (peers, reason) = mapper.Map(resolver, egress: true);
        return reason is null ? (peers, null)
            : (peers, $"DNS goes to a resolver on the node (NodeLocal DNSCache?) that the flow log shows without an address: allow its address (169.254.20.10/32 by default) on 53/UDP+TCP, or use --format cilium (toEntities); {reason}");
    }

    private static bool IsV6(EdgeKey key) =>
        (key.Destination.Ip ?? key.Source.Ip) is { } ip && ip.Contains(':', StringComparison.Ordinal);

    private static IReadOnlyList<RulePort> Ports(ObservedEdge edge, PolicyDirection direction, Dictionary<EdgeKey, List<ObservedHttp>> http,
        Dictionary<(L4Protocol, int), RulePort[]> plain)
    {
        var key = edge.Edge;
        // L7 is enforced where the request arrives: the server's ingress
        if (direction == PolicyDirection.Ingress && http.TryGetValue(key, out var requests))
        {
            var rules = requests.Select(r => new HttpRule(r.Method.ToUpperInvariant(), PathPatterns.Template(r.Path), null))
                .DistinctBy(h => (h.Method, h.Path)).OrderBy(h => h.Path, StringComparer.Ordinal).ThenBy(h => h.Method, StringComparer.Ordinal).ToList();
            return [new RulePort(key.Protocol, key.Port!.Value, Http: rules)];
        }

        // a plain port is an immutable value: one shared list per (protocol, port), not one per edge
        if (!plain.TryGetValue((key.Protocol, key.Port!.Value), out var ports))
        {
            plain[(key.Protocol, key.Port.Value)] = ports = [new RulePort(key.Protocol, key.Port.Value)];
        }

        return ports;
    }

    private static readonly RulePeer[] AllPodsPeers = [RulePeer.AllPods];

    private static void AddKeys(HashSet<string> keys, LabelSelector? selector)
    {
        if (selector is null)
        {
            return;
        }

        foreach (var (key, _) in selector.OrderedLabels)
        {
            keys.Add(key);
        }
    }

    /// <summary>One side of an edge waiting to become a rule: the subject's policy, its direction, the far end's peers and the ports.</summary>
    private readonly record struct PendingSide(Peer Subject, PolicyDirection Direction, IReadOnlyList<RulePeer> Peers, IReadOnlyList<RulePort> Ports);

    private static void Add(Dictionary<string, List<ObservedEdge>> map, string key, ObservedEdge edge)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(edge);
    }
}
