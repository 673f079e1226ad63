using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Rules;

public enum RulePeerKind : byte
{
    /// <summary>The pods of one workload (selector, plus the namespace when it is not the policy's own).</summary>
    Workload,

    /// <summary>Every pod of every namespace (who may query the cluster resolver).</summary>
    AllPods,

    /// <summary>One external address (<c>/32</c>, <c>/128</c>).</summary>
    Cidr,

    /// <summary>An external DNS name (Cilium <c>toFQDNs</c>).</summary>
    Fqdn,

    /// <summary>A Cilium entity: host, remote-node, kube-apiserver, ingress, health, cluster.</summary>
    Entity,
}

/// <summary>One peer of a suggested rule, in format-neutral terms. <see cref="SortKey"/> orders peers deterministically.</summary>
public sealed record RulePeer(RulePeerKind Kind, string SortKey, string? Namespace = null, LabelSelector? Selector = null, IpPrefix? Cidr = null,
    string? Fqdn = null, string? Entity = null)
{
    public static RulePeer ForWorkload(Peer workload, LabelSelector selector) =>
        new(RulePeerKind.Workload, $"0|{workload.Namespace}|{selector}", workload.Namespace, selector);

    public static RulePeer AllPods { get; } = new(RulePeerKind.AllPods, "1|");

    public static RulePeer ForCidr(IpPrefix prefix) => new(RulePeerKind.Cidr, $"2|{(prefix.IsV6 ? 1 : 0)}|{prefix.Network:D40}|{prefix}", Cidr: prefix);

    public static RulePeer ForFqdn(string name) => new(RulePeerKind.Fqdn, $"3|{name}", Fqdn: name);

    public static RulePeer ForEntity(string entity) => new(RulePeerKind.Entity, $"4|{entity}", Entity: entity);

    public override string ToString() => Kind switch
    {
        RulePeerKind.Workload => $"{Namespace}/[{Selector}]",
        RulePeerKind.AllPods => "all pods",
        RulePeerKind.Cidr => Cidr!.Value.ToString(),
        RulePeerKind.Fqdn => Fqdn!,
        _ => Entity!,
    };
}

/// <summary>A destination port (or range), with the HTTP requests allowed on it (L7) and whether DNS goes through Cilium's proxy.</summary>
public sealed record RulePort(L4Protocol Protocol, int Port, int? EndPort = null, IReadOnlyList<HttpRule>? Http = null, bool DnsProxy = false)
{
    public string Key => $"{Protocol.ToWire()}/{Port:D5}-{EndPort ?? Port:D5}" + (DnsProxy ? "|dns" : "") +
        (Http is null ? "" : "|" + string.Join(";", Http.Select(h => $"{h.Method} {h.Path}")));

    public override string ToString() => $"{Protocol.ToWire()}/{Port}{(EndPort is { } e ? $"-{e}" : "")}{(Http is null ? "" : " (HTTP)")}";
}

/// <summary>An ICMP type allowed to a peer (Cilium <c>icmps</c>; Kubernetes cannot express it).</summary>
public sealed record RuleIcmp(int Type, bool IsV6);
