using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation.Compiled;

/// <summary>One Cilium rule spec prepared for evaluation: namespaced policies pin selectors to their namespace.</summary>
internal sealed class CiliumCompiled
{
    public CiliumCompiled(CiliumNetworkPolicy policy, CiliumRuleSpec spec)
    {
        Ref = policy.Ref;
        Spec = spec;
        Namespace = policy.IsClusterwide ? null : policy.Ref.Namespace;
        IsolatesIngress = spec.DefaultDenyIngress && (spec.Ingress.Count > 0 || spec.IngressDeny.Count > 0);
        IsolatesEgress = spec.DefaultDenyEgress && (spec.Egress.Count > 0 || spec.EgressDeny.Count > 0);
        Ingress = [.. spec.Ingress.Select(r => new CompiledRule(r, Namespace))];
        IngressDeny = [.. spec.IngressDeny.Select(r => new CompiledRule(r, Namespace))];
        Egress = [.. spec.Egress.Select(r => new CompiledRule(r, Namespace))];
        EgressDeny = [.. spec.EgressDeny.Select(r => new CompiledRule(r, Namespace))];
    }

    public PolicyRef Ref { get; }
    public CiliumRuleSpec Spec { get; }
    public string? Namespace { get; }
    public bool IsolatesIngress { get; }
    public bool IsolatesEgress { get; }
    public CompiledRule[] Ingress { get; }
    public CompiledRule[] IngressDeny { get; }
    public CompiledRule[] Egress { get; }
    public CompiledRule[] EgressDeny { get; }

    public bool HasIngress => Ingress.Length > 0 || IngressDeny.Length > 0;
    public bool HasEgress => Egress.Length > 0 || EgressDeny.Length > 0;

    /// <summary>Host policies (nodeSelector) select nodes, never pods.</summary>
    public bool Selects(PodEndpoint pod) =>
        Spec.EndpointSelector is { } sel && (Namespace is null || pod.Namespace == Namespace) && sel.Selector.Matches(pod.CiliumIdentityLabels);

    internal sealed class CompiledRule
    {
        private readonly (LabelSelector Selector, string? PinnedNamespace)[] _endpoints;
        private readonly HashSet<string> _entities;

        public CompiledRule(CiliumRule rule, string? policyNamespace)
        {
            Rule = rule;
            // a namespaced policy's endpoint selectors mean its own namespace unless they name one (or a reserved identity)
            _endpoints = [.. (rule.Endpoints ?? []).Select(e => (e.Selector,
                policyNamespace is not null && !e.NamesNamespace && !e.Selector.MatchLabels.Keys.Concat(e.Selector.MatchExpressions.Select(x => x.Key))
                    .Any(k => k.StartsWith(CiliumLabels.ReservedPrefix, StringComparison.Ordinal)) ? policyNamespace : null))];
            _entities = new HashSet<string>(rule.Entities ?? [], StringComparer.Ordinal);
        }

        public CiliumRule Rule { get; }

        /// <summary>Does the rule's L3 part admit <paramref name="peer"/>? <paramref name="subject"/> is the selected pod (node-locality decides host vs remote-node).</summary>
        public bool PeerMatches(ConnectionEnd peer, PodEndpoint subject, bool egress)
        {
            if (!Rule.NamesPeers)
            {
                // L4-only rule: every peer; the empty rule `{}`: nobody
                return Rule.ToPorts is { Count: > 0 };
            }

            if (_entities.Count > 0 && EntityNames(peer, subject).Any(_entities.Contains))
            {
                return true;
            }

            if (_endpoints.Length > 0)
            {
                var labels = peer.Kind == EndKind.Pod ? peer.Pod!.CiliumIdentityLabels : ReservedLabels(peer, subject);
                foreach (var (selector, pinned) in _endpoints)
                {
                    if ((pinned is null || peer.Pod?.Namespace == pinned) && selector.Matches(labels))
                    {
                        return true;
                    }
                }
            }

            // CIDR and FQDN rules only ever see the world: Cilium classifies cluster endpoints by identity
            if (peer.Kind == EndKind.External && peer.Address is { } address && Rule.Cidrs is { } cidrs)
            {
                foreach (var block in cidrs)
                {
                    if (block.Contains(address))
                    {
                        return true;
                    }
                }
            }

            if (egress && peer.Kind == EndKind.External && Rule.Fqdns is { } fqdns)
            {
                foreach (var name in peer.DnsNames)
                {
                    if (fqdns.Any(f => f.Matches(name)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public L7Match PortMatches(L4Protocol protocol, int port, ConnectionEnd destination, L7Request? request) =>
            Rule.ToPorts is not { Count: > 0 } toPorts ? L7Match.Match : PortMatching.Cilium(toPorts, protocol, port, destination, request);
    }

    private static bool IsLocalHost(ConnectionEnd end, PodEndpoint subject) =>
        end.Entity == EntityKind.Host && (end.NodeName is null || subject.NodeName is null || end.NodeName == subject.NodeName);

    /// <summary>The Cilium entities an end belongs to.</summary>
    public static IEnumerable<string> EntityNames(ConnectionEnd end, PodEndpoint subject)
    {
        yield return "all";
        switch (end.Kind)
        {
            case EndKind.Pod:
                yield return "cluster";
                break;
            case EndKind.External:
                yield return "world";
                if (end.Address is { } a)
                {
                    yield return a.IsV6 ? "world-ipv6" : "world-ipv4";
                }

                break;
            case EndKind.Node:
                yield return "cluster";
                yield return IsLocalHost(end, subject) ? "host" : "remote-node";
                break;
            default:
                if (end.Entity != EntityKind.KubeApiserver)
                {
                    yield return "cluster";
                }

                yield return end.Entity.ToWire();
                break;
        }
    }

    private static Dictionary<string, string> ReservedLabels(ConnectionEnd end, PodEndpoint subject)
    {
        var name = end.Kind switch
        {
            EndKind.External => "world",
            EndKind.Node => IsLocalHost(end, subject) ? "host" : "remote-node",
            _ => end.Entity.ToWire(),
        };
        return new Dictionary<string, string>(StringComparer.Ordinal) { [CiliumLabels.ReservedPrefix + name] = "" };
    }
}
