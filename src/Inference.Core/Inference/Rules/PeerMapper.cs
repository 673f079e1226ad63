using Inference.Core.Flows;
using Inference.Core.Inference.Selectors;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Rules;

/// <summary>
/// Turns the far end of an observed edge into rule peers for the chosen format, or says plainly why the format cannot
/// express it. Never widens: an end it cannot name gets no rule, not <c>0.0.0.0/0</c>.
/// </summary>
internal sealed class PeerMapper(IReadOnlyDictionary<Peer, WorkloadSelector> selectors, SuggestFormat format)
{
    // one peer object per workload: its sort key is built once, not once per edge
    private readonly Dictionary<Peer, RulePeer[]> _workloadPeers = [];

    private bool Cilium => format == SuggestFormat.Cilium;

    public (IReadOnlyList<RulePeer> Peers, string? Reason) Map(Peer end, bool egress)
    {
        if (end.IsWorkload)
        {
            if (_workloadPeers.TryGetValue(end, out var cached))
            {
                return (cached, null);
            }

            if (selectors.TryGetValue(end, out var s) && s.Selector is { } selector)
            {
                RulePeer[] peers = [RulePeer.ForWorkload(end, selector)];
                _workloadPeers[end] = peers;
                return (peers, null);
            }

            return ([], $"{end} cannot be selected (its pods share no stable label)");
        }

        switch (end.Entity!.Value)
        {
            case EntityKind.World or EntityKind.Private:
                if (Cilium && egress && end.Names.Count > 0)
                {
                    // the name outlives the addresses behind it; the DNS proxy rule in _dns makes toFQDNs work
                    return ([.. end.Names.Select(RulePeer.ForFqdn)], null);
                }

                if (end.Ip is not null && IpPrefix.TryParse(end.Ip, out var prefix))
                {
                    return ([RulePeer.ForCidr(prefix)], null);
                }

                return ([], Cilium
                    ? $"{end} is known only by name and Cilium matches names on egress only (toFQDNs); ingress from it needs its addresses"
                    : $"{end} is known only by name (the flow log kept no address): a Kubernetes NetworkPolicy cannot name a DNS name; use --format cilium (toFQDNs) or an egress gateway. Not widened to 0.0.0.0/0");
            case EntityKind.Host:
                return Cilium ? ([RulePeer.ForEntity("host")], null)
                    : ([], "the node itself (host) has no selector and the flow log keeps no node address: add an ipBlock with your node addresses, or use --format cilium (toEntities: host)");
            case EntityKind.RemoteNode:
                return Cilium ? ([RulePeer.ForEntity("remote-node")], null)
                    : ([], "other nodes (remote-node) have no selector and the flow log keeps no node address: add an ipBlock with your node CIDR, or use --format cilium (toEntities: remote-node)");
            case EntityKind.KubeApiserver:
                return Cilium ? ([RulePeer.ForEntity("kube-apiserver")], null)
                    : ([], "the kube-apiserver has no selector: add an ipBlock with its endpoints (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or use --format cilium (toEntities: kube-apiserver)");
            case EntityKind.Ingress:
                return Cilium ? ([RulePeer.ForEntity("ingress")], null) : ([], "Cilium's ingress proxy identity cannot be named in a Kubernetes NetworkPolicy; use --format cilium (fromEntities: ingress)");
            case EntityKind.Health:
                return Cilium ? ([RulePeer.ForEntity("health")], null) : ([], "Cilium health checks cannot be named in a Kubernetes NetworkPolicy; use --format cilium");
            default:
                return ([], $"{end} is a Calico {end.Entity.Value.ToWire()}: neither format here can name it; write a Calico NetworkPolicy for it");
        }
    }
}
