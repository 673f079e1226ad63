using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation;

public enum EndKind : byte
{
    /// <summary>A pod that policies can select.</summary>
    Pod,

    /// <summary>A cluster node (the host, another node, a hostNetwork pod).</summary>
    Node,

    /// <summary>A reserved identity other than a node or the world (kube-apiserver, ingress, health).</summary>
    Entity,

    /// <summary>Outside the cluster; known by IP and possibly DNS names.</summary>
    External,
}

/// <summary>One end of a connection attempt.</summary>
public sealed class ConnectionEnd
{
    private ConnectionEnd(EndKind kind, PodEndpoint? pod, EntityKind entity, string? ip, string? nodeName, IReadOnlyList<string>? names)
    {
        Kind = kind;
        Pod = pod;
        Entity = entity;
        Ip = string.IsNullOrEmpty(ip) ? null : ip;
        NodeName = nodeName;
        DnsNames = names ?? [];
        if (Ip is not null && IpAddressBits.TryParse(Ip, out var bits))
        {
            Address = bits;
        }
    }

    public EndKind Kind { get; }
    public PodEndpoint? Pod { get; }

    /// <summary>World for external ends, Host or RemoteNode for nodes, the reserved identity for entities.</summary>
    public EntityKind Entity { get; }

    public string? Ip { get; }
    public IpAddressBits? Address { get; }

    /// <summary>For node ends, the node's name when known.</summary>
    public string? NodeName { get; }

    /// <summary>DNS names the address is known by (toFQDNs matches these).</summary>
    public IReadOnlyList<string> DnsNames { get; }

    public static ConnectionEnd ForPod(PodEndpoint pod, string? ip = null) =>
        pod.HostNetwork
            ? new ConnectionEnd(EndKind.Node, null, EntityKind.Host, ip ?? pod.HostIp ?? pod.Ips.FirstOrDefault(), pod.NodeName, null)
            : new ConnectionEnd(EndKind.Pod, pod, EntityKind.World, ip ?? pod.Ips.FirstOrDefault(), null, null);

    public static ConnectionEnd ForExternal(string ip, IReadOnlyList<string>? dnsNames = null) =>
        new(EndKind.External, null, EntityKind.World, ip, null, dnsNames);

    /// <summary>A node. <see cref="EntityKind.Host"/> is the local node of whatever it talks to; <see cref="EntityKind.RemoteNode"/> is another node.</summary>
    public static ConnectionEnd ForNode(EntityKind entity, string? ip = null, string? nodeName = null) =>
        new(EndKind.Node, null, entity, ip, nodeName, null);

    public static ConnectionEnd ForEntity(EntityKind entity, string? ip = null, IReadOnlyList<string>? dnsNames = null) => entity switch
    {
        EntityKind.World or EntityKind.Private or EntityKind.NetworkSet or EntityKind.HostEndpoint =>
            new ConnectionEnd(EndKind.External, null, EntityKind.World, ip, null, dnsNames),
        EntityKind.Host or EntityKind.RemoteNode => ForNode(entity, ip),
        _ => new ConnectionEnd(EndKind.Entity, null, entity, ip, null, dnsNames),
    };

    /// <summary>The same end with DNS names attached.</summary>
    public ConnectionEnd WithDnsNames(IReadOnlyList<string> names) => new(Kind, Pod, Entity, Ip, NodeName, names);

    public override string ToString() => Kind switch
    {
        EndKind.Pod => Pod!.ToString(),
        EndKind.Node => $"{Entity.ToWire()}{(NodeName is null ? "" : ":" + NodeName)}{(Ip is null ? "" : " " + Ip)}",
        EndKind.External => DnsNames.Count > 0 ? $"world:{Ip} ({string.Join(",", DnsNames)})" : $"world:{Ip}",
        _ => Entity.ToWire(),
    };
}
