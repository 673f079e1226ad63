using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference.Rules;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Building;

/// <summary>
/// Builds the policy objects of the shared policy model from suggested rules: the same objects the evaluator verifies
/// and the YAML is rendered from, so what is checked is what is written.
/// </summary>
internal static class ModelFactory
{
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    public static PolicyBase Build(SuggestFormat format, SuggestedPolicyKind kind, string ns, string name, string file, LabelSelector selector,
        IReadOnlyList<SuggestedRule> ingress, IReadOnlyList<SuggestedRule> egress, ModelParts? parts = null) =>
        format == SuggestFormat.Cilium
            ? Cilium(kind, ns, name, file, selector, ingress, egress)
            : Kubernetes(kind, ns, name, file, selector, ingress, egress, parts ?? new ModelParts());

    private static KubernetesNetworkPolicy Kubernetes(SuggestedPolicyKind kind, string ns, string name, string file, LabelSelector selector,
        IReadOnlyList<SuggestedRule> ingress, IReadOnlyList<SuggestedRule> egress, ModelParts parts)
    {
        // policyTypes always explicit: no reader has to remember the defaulting rules (semantics 3.3)
        var types = kind == SuggestedPolicyKind.Dns ? PolicyTypes.Egress : PolicyTypes.Ingress | PolicyTypes.Egress;
        return new KubernetesNetworkPolicy(new PolicyRef(PolicyKind.NetworkPolicy, ns, name), new SourceLocation(file, 1), selector, types,
            kind == SuggestedPolicyKind.Dns ? null : KubernetesRules(ingress, ns, parts), KubernetesRules(egress, ns, parts));
    }

    private static NetworkPolicyRule[] KubernetesRules(IReadOnlyList<SuggestedRule> rules, string policyNamespace, ModelParts parts)
    {
        var result = new NetworkPolicyRule[rules.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = KubernetesRule(rules[i], policyNamespace, parts);
        }

        return result;
    }

    private static NetworkPolicyRule KubernetesRule(SuggestedRule rule, string policyNamespace, ModelParts parts)
    {
        if (rule.IsIcmp)
        {
            throw new InvalidOperationException("bug: an ICMP rule reached the Kubernetes model");
        }

        return new NetworkPolicyRule(rule.Index, 0, parts.Peers(rule.Peers, policyNamespace), parts.Ports(rule.Ports));
    }

    /// <summary>
    /// The model's peers and ports are immutable values: one object per distinct value for a whole suggestion, not one per
    /// rule (a large suggestion has hundreds of thousands of rules, and each object is one more for the collector to trace).
    /// </summary>
    internal sealed class ModelParts
    {
        private readonly Dictionary<(RulePeer Peer, bool SameNamespace), NetworkPolicyPeer> _peers = [];
        private readonly Dictionary<(L4Protocol, int, int?), NetworkPolicyPort[]> _singlePorts = [];
        private readonly Dictionary<NetworkPolicyPeer, NetworkPolicyPeer[]> _singlePeers = new(ReferenceEqualityComparer.Instance);

        public NetworkPolicyPeer[] Peers(IReadOnlyList<RulePeer> peers, string policyNamespace)
        {
            if (peers.Count == 1)
            {
                var peer = Peer(peers[0], policyNamespace);
                if (!_singlePeers.TryGetValue(peer, out var single))
                {
                    _singlePeers[peer] = single = [peer];
                }

                return single;
            }

            var result = new NetworkPolicyPeer[peers.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = Peer(peers[i], policyNamespace);
            }

            return result;
        }

        public NetworkPolicyPeer Peer(RulePeer p, string policyNamespace)
        {
            var key = (p, p.Namespace == policyNamespace);
            if (!_peers.TryGetValue(key, out var peer))
            {
                _peers[key] = peer = p.Kind switch
                {
                    // another namespace: namespaceSelector AND podSelector in one peer; a bare podSelector would mean this namespace
                    RulePeerKind.Workload when key.Item2 => new NetworkPolicyPeer(p.Selector, null, null),
                    RulePeerKind.Workload => new NetworkPolicyPeer(p.Selector, NamespaceSelector(p.Namespace!), null),
                    RulePeerKind.AllPods => new NetworkPolicyPeer(null, LabelSelector.Everything, null),
                    RulePeerKind.Cidr => new NetworkPolicyPeer(null, null, new IpBlock(p.Cidr!.Value.ToString(), p.Cidr.Value, [])),
                    _ => throw new InvalidOperationException($"bug: a {p.Kind} peer reached the Kubernetes model"),
                };
            }

            return peer;
        }

        public NetworkPolicyPort[] Ports(IReadOnlyList<RulePort> ports)
        {
            if (ports.Count == 1)
            {
                var p = ports[0];
                if (!_singlePorts.TryGetValue((p.Protocol, p.Port, p.EndPort), out var single))
                {
                    _singlePorts[(p.Protocol, p.Port, p.EndPort)] = single = [new NetworkPolicyPort(p.Protocol, p.Port, null, p.EndPort)];
                }

                return single;
            }

            var result = new NetworkPolicyPort[ports.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new NetworkPolicyPort(ports[i].Protocol, ports[i].Port, null, ports[i].EndPort);
            }

            return result;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LabelSelector> NamespaceSelectors = new(StringComparer.Ordinal);

    /// <summary>Selects a namespace by its immutable name label (immutable objects, so one per namespace is shared).</summary>
    public static LabelSelector NamespaceSelector(string ns) =>
        NamespaceSelectors.GetOrAdd(ns, n => new LabelSelector(new Dictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = n }));

    private static CiliumNetworkPolicy Cilium(SuggestedPolicyKind kind, string ns, string name, string file, LabelSelector selector,
        IReadOnlyList<SuggestedRule> ingress, IReadOnlyList<SuggestedRule> egress)
    {
        List<CiliumRule> ingressRules, egressRules;
        if (kind == SuggestedPolicyKind.DefaultDeny)
        {
            // an empty rule allows nothing and puts the selected endpoints in default-deny for that direction
            ingressRules = [new CiliumRule(0, 0, null, null, null, null, null)];
            egressRules = [new CiliumRule(0, 0, null, null, null, null, null)];
        }
        else
        {
            // ICMP rules are written as icmps, which the model cannot carry: they come last, so indexes still line up
            ingressRules = [.. ingress.Where(r => !r.IsIcmp).Select(r => CiliumRule(r, ns))];
            egressRules = [.. egress.Where(r => !r.IsIcmp).Select(r => CiliumRule(r, ns))];
        }

        var spec = new CiliumRuleSpec(0, 0, new CiliumSelector(selector, selector.ToString()), null, ingressRules, [], egressRules, [], true, true);
        return new CiliumNetworkPolicy(new PolicyRef(PolicyKind.CiliumNetworkPolicy, ns, name), new SourceLocation(file, 1), [spec]);
    }

    private static CiliumRule CiliumRule(SuggestedRule rule, string policyNamespace)
    {
        var endpoints = rule.Peers.Where(p => p.Kind == RulePeerKind.Workload).Select(p => EndpointSelector(p, policyNamespace)).ToList();
        var entities = rule.Peers.Where(p => p.Kind is RulePeerKind.Entity or RulePeerKind.AllPods).Select(p => p.Kind == RulePeerKind.AllPods ? "cluster" : p.Entity!).ToList();
        var cidrs = rule.Peers.Where(p => p.Kind == RulePeerKind.Cidr).Select(p => new IpBlock(p.Cidr!.Value.ToString(), p.Cidr.Value, [])).ToList();
        var fqdns = rule.Peers.Where(p => p.Kind == RulePeerKind.Fqdn).Select(p => new FqdnSelector(p.Fqdn, null)).ToList();
        var toPorts = rule.Ports.GroupBy(p => (p.DnsProxy, Http: p.Http is null ? null : string.Join(";", p.Http.Select(h => $"{h.Method} {h.Path}"))))
            .Select(g =>
            {
                var first = g.First();
                L7Rules? l7 = first.DnsProxy ? new L7Rules(null, [new FqdnSelector(null, "*")], false)
                    : first.Http is { } http ? new L7Rules(http, null, false) : null;
                return new CiliumPortRule([.. g.Select(p => new CiliumPort(p.Protocol, p.Port, null, p.EndPort))], l7);
            }).ToList();
        return new CiliumRule(rule.Index, 0, endpoints.Count > 0 ? endpoints : null, entities.Count > 0 ? entities : null,
            cidrs.Count > 0 ? cidrs : null, fqdns.Count > 0 ? fqdns : null, toPorts.Count > 0 ? toPorts : null);
    }

    private static CiliumSelector EndpointSelector(RulePeer peer, string policyNamespace)
    {
        var labels = peer.Selector!.MatchLabels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        if (peer.Namespace != policyNamespace)
        {
            // a namespaced CNP's endpoint selector means its own namespace unless it names another
            labels[CiliumLabels.PodNamespace] = peer.Namespace!;
        }

        var selector = new LabelSelector(labels);
        return new CiliumSelector(selector, selector.ToString());
    }

    /// <summary>The Kubernetes ICMP note, shared by the summary and the tests.</summary>
    public static string IcmpNote(EdgeKey edge) =>
        $"ICMP ({edge}) cannot be expressed in a Kubernetes NetworkPolicy: its handling is CNI-defined; use --format cilium (icmps)";
}
