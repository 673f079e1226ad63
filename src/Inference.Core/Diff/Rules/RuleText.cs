using System.Globalization;
using System.Numerics;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Rules;

/// <summary>A rule written out in one line, and the parts of it a reviewer would want to narrow.</summary>
internal static class RuleText
{
    public static string Kubernetes(NetworkPolicyRule rule, PolicyDirection direction)
    {
        var peers = rule.AllPeers ? "all" : string.Join("; ", rule.Peers!.Select(Peer));
        var ports = rule.AllPorts ? "all" : string.Join(", ", rule.Ports!.Select(p => p.ToString()));
        return $"{(direction == PolicyDirection.Ingress ? "from" : "to")}: {peers}; ports: {ports}";
    }

    public static string Cilium(CiliumRule rule, PolicyDirection direction)
    {
        var parts = new List<string>();
        var side = direction == PolicyDirection.Ingress ? "from" : "to";
        if (rule.Endpoints is { Count: > 0 } e)
        {
            parts.Add($"{side}Endpoints: {string.Join("; ", e.Select(s => s.Selector.ToString()))}");
        }

        if (rule.Entities is { Count: > 0 } en)
        {
            parts.Add($"{side}Entities: {string.Join(", ", en)}");
        }

        if (rule.Cidrs is { Count: > 0 } c)
        {
            parts.Add($"{side}CIDR: {string.Join(", ", c.Select(Block))}");
        }

        if (rule.Fqdns is { Count: > 0 } f)
        {
            parts.Add($"toFQDNs: {string.Join(", ", f.Select(x => x.ToString()))}");
        }

        if (!rule.NamesPeers)
        {
            parts.Add(rule.ToPorts is { Count: > 0 } ? $"{side}: all" : "{} (allows nothing)");
        }

        parts.Add("ports: " + (rule.ToPorts is { Count: > 0 } tp ? string.Join(", ", tp.SelectMany(r => r.Ports).Select(p => p.ToString())) : "all"));
        return string.Join("; ", parts);
    }

    public static IReadOnlyList<string> KubernetesBreadth(NetworkPolicyRule rule, PolicyDirection direction, string policyNamespace)
    {
        var result = new List<string>();
        if (rule.AllPeers)
        {
            result.Add(direction == PolicyDirection.Ingress
                ? "all sources: every pod of every namespace and every address (no `from`)"
                : "all egress: every pod of every namespace and every address (no `to`)");
        }
        else
        {
            foreach (var p in rule.Peers!)
            {
                if (p.IpBlock is { } block)
                {
                    if (Wide(block.Cidr))
                    {
                        result.Add($"a whole CIDR: {Block(block)} ({Addresses(block.Cidr)} addresses)");
                    }
                }
                else if (p.NamespaceSelector is { } ns)
                {
                    var pods = p.PodSelector is null || p.PodSelector.IsEmpty ? "every pod" : $"pods {p.PodSelector}";
                    result.Add(ns.IsEmpty ? $"any namespace: {pods} of every namespace" : $"{pods} of every namespace matching {ns}");
                }
                else if (p.PodSelector!.IsEmpty)
                {
                    result.Add($"every pod of namespace {policyNamespace}");
                }
            }
        }

        if (rule.AllPorts)
        {
            result.Add("all ports and protocols (no `ports`)");
        }
        else
        {
            foreach (var port in rule.Ports!)
            {
                if (port.Port is null && port.NamedPort is null)
                {
                    result.Add($"all {port.Protocol.ToWire()} ports");
                }
                else if (port.EndPort is { } end && port.Port is { } start && end - start >= 100)
                {
                    result.Add($"port range {port} ({end - start + 1} ports)");
                }
            }
        }

        return result;
    }

    public static IReadOnlyList<string> CiliumBreadth(CiliumRule rule, PolicyDirection direction)
    {
        var result = new List<string>();
        if (!rule.NamesPeers && rule.ToPorts is { Count: > 0 })
        {
            result.Add(direction == PolicyDirection.Ingress ? "all sources (no from* peer)" : "all egress (no to* peer)");
        }

        foreach (var entity in rule.Entities ?? [])
        {
            if (entity is "all" or "world" or "cluster" or "world-ipv4" or "world-ipv6")
            {
                result.Add($"entity {entity}");
            }
        }

        foreach (var e in rule.Endpoints ?? [])
        {
            if (e.Selector.IsEmpty)
            {
                result.Add("every endpoint of the policy's namespace (empty selector)");
            }
        }

        foreach (var c in rule.Cidrs ?? [])
        {
            if (Wide(c.Cidr))
            {
                result.Add($"a whole CIDR: {Block(c)} ({Addresses(c.Cidr)} addresses)");
            }
        }

        foreach (var f in rule.Fqdns ?? [])
        {
            if (f.MatchPattern is { } pattern && pattern.Trim() == "*")
            {
                result.Add("every DNS name (matchPattern: *)");
            }
        }

        if (rule.NamesPeers && rule.ToPorts is not { Count: > 0 })
        {
            result.Add("all ports and protocols (no toPorts)");
        }

        return result;
    }

    /// <summary>The rule admits address ranges far beyond any window's observed addresses (every peer, a wide CIDR, the world entity).</summary>
    public static bool WideAddresses(NetworkPolicyRule rule) => rule.AllPeers || rule.Peers!.Any(p => p.IpBlock is { } b && Wide(b.Cidr));

    public static bool WideAddresses(CiliumRule rule) => (!rule.NamesPeers && rule.ToPorts is { Count: > 0 })
        || (rule.Entities ?? []).Any(e => e is "all" or "world" or "world-ipv4" or "world-ipv6") || (rule.Cidrs ?? []).Any(c => Wide(c.Cidr));

    private static string Peer(NetworkPolicyPeer p)
    {
        if (p.IpBlock is { } block)
        {
            return "ipBlock " + Block(block);
        }

        var parts = new List<string>();
        if (p.NamespaceSelector is { } ns)
        {
            parts.Add($"namespaceSelector {ns}");
        }

        if (p.PodSelector is { } pod)
        {
            parts.Add($"podSelector {pod}");
        }

        return string.Join(" AND ", parts);
    }

    private static string Block(IpBlock b) =>
        b.Except.Count == 0 ? b.CidrText : $"{b.CidrText} except {string.Join(",", b.Except.Select(e => e.ToString()))}";

    // shorter than a /24 (IPv4) or a /64 (IPv6): more addresses than one service is likely to need
    private static bool Wide(IpPrefix p) => p.Length < (p.IsV6 ? 64 : 24);

    private static string Addresses(IpPrefix p)
    {
        var bits = p.MaxLength - p.Length;
        return bits > 40 ? $"2^{bits}" : (BigInteger.One << bits).ToString(CultureInfo.InvariantCulture);
    }
}
