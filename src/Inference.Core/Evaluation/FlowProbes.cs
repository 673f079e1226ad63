using System.Runtime.CompilerServices;
using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Core.Evaluation;

/// <summary>
/// Turns observed flows into probes. Each end is resolved through the snapshot by IP (pod, node); an IP the snapshot
/// does not know falls back to the flow's own endpoint description (namespace and labels, or a reserved identity),
/// and an undescribed end is external. The flow is taken in its own direction (<c>is_reply</c> is ignored).
/// </summary>
public sealed class FlowProbes(ClusterSnapshot snapshot)
{
    // decoders share one EndpointInfo per distinct endpoint, so its PodEndpoint (and cached identity) is built once
    private readonly ConditionalWeakTable<EndpointInfo, PodEndpoint> _pods = [];

    public ClusterSnapshot Snapshot { get; } = snapshot;

    public ConnectionProbe ToProbe(FlowEvent flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var source = Resolve(flow.SourceIp, flow.Source);
        var destination = Resolve(flow.DestinationIp, flow.Destination);
        if (flow.DestinationNames is { Count: > 0 } names && destination.Kind == EndKind.External)
        {
            destination = destination.WithDnsNames([.. names.Select(Flows.Peer.NormalizeName)]);
        }

        L7Request? l7 = null;
        if (flow.Http is { } http)
        {
            l7 = new L7Request(HttpMethod: http.Method, HttpPath: http.Path);
        }
        else if (flow.Dns is { } dns)
        {
            l7 = new L7Request(DnsQuery: dns.Query);
        }

        var port = flow.Protocol == L4Protocol.Icmp ? flow.IcmpType : flow.DestinationPort;
        return new ConnectionProbe(source, destination, flow.Protocol, port, l7);
    }

    private ConnectionEnd Resolve(string ip, EndpointInfo info)
    {
        if (ip.Length > 0 && Snapshot.Resolve(ip) is { } known)
        {
            return known;
        }

        if (info.Namespace is { Length: > 0 } ns && info.Entity is null)
        {
            var pod = _pods.GetValue(info, i => PodEndpoint.FromIdentityLabels(ns, i.PodName ?? "", i.AllLabels,
                i.NamespaceLabels.Count > 0 ? i.NamespaceLabels : Snapshot.Namespaces.GetValueOrDefault(ns),
                ip.Length > 0 ? [ip] : null));
            return ConnectionEnd.ForPod(pod, ip.Length > 0 ? ip : null);
        }

        if (info.Entity is { } entity)
        {
            return ConnectionEnd.ForEntity(entity, ip.Length > 0 ? ip : null);
        }

        return ConnectionEnd.ForExternal(ip);
    }
}
