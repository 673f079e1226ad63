using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation.Compiled;

/// <summary>A NetworkPolicy prepared for evaluation: effective policyTypes resolved once.</summary>
internal sealed class KubernetesCompiled(KubernetesNetworkPolicy policy)
{
    public KubernetesNetworkPolicy Policy { get; } = policy;
    public PolicyRef Ref { get; } = policy.Ref;
    public string Namespace { get; } = policy.Namespace;
    public bool IsolatesIngress { get; } = (policy.EffectiveTypes & PolicyTypes.Ingress) != 0;
    public bool IsolatesEgress { get; } = (policy.EffectiveTypes & PolicyTypes.Egress) != 0;

    // rules of a direction not in effect are ignored (explicit policyTypes, semantics 3.3)
    public IReadOnlyList<NetworkPolicyRule> IngressRules { get; } = (policy.EffectiveTypes & PolicyTypes.Ingress) != 0 ? policy.Ingress ?? [] : [];
    public IReadOnlyList<NetworkPolicyRule> EgressRules { get; } = (policy.EffectiveTypes & PolicyTypes.Egress) != 0 ? policy.Egress ?? [] : [];

    public bool Selects(PodEndpoint pod) => pod.Namespace == Namespace && Policy.PodSelector.Matches(pod.Labels);

    public static bool RuleMatches(NetworkPolicyRule rule, string policyNamespace, ConnectionEnd peer, ConnectionEnd destination,
        L4Protocol protocol, int port, bool ipBlockMatchesPods)
    {
        if (!rule.AllPorts && !PortMatching.Kubernetes(rule.Ports!, protocol, port, destination))
        {
            return false;
        }

        if (rule.AllPeers)
        {
            return true;
        }

        // indexed loops: foreach over an IReadOnlyList boxes its enumerator on this hot path
        var peers = rule.Peers!;
        for (var i = 0; i < peers.Count; i++)
        {
            if (PeerMatches(peers[i], policyNamespace, peer, ipBlockMatchesPods))
            {
                return true;
            }
        }

        return false;
    }

    public static bool PeerMatches(NetworkPolicyPeer peer, string policyNamespace, ConnectionEnd end, bool ipBlockMatchesPods)
    {
        if (peer.IpBlock is { } block)
        {
            // off (Cilium): ipBlock sees only cluster-external addresses; on (Calico, e2e): any address
            return end.Address is { } address && (end.Kind == EndKind.External || ipBlockMatchesPods) && block.Contains(address);
        }

        if (end.Kind != EndKind.Pod)
        {
            // selectors only ever select pods: never external addresses, nodes or other entities
            return false;
        }

        var pod = end.Pod!;
        if (peer.NamespaceSelector is null)
        {
            // podSelector alone: the policy's own namespace
            return pod.Namespace == policyNamespace && peer.PodSelector!.Matches(pod.Labels);
        }

        return peer.NamespaceSelector.Matches(pod.NamespaceLabels) && (peer.PodSelector is null || peer.PodSelector.Matches(pod.Labels));
    }
}
