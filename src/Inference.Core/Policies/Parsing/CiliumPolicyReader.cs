using Inference.Core.Flows;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>Reads cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, with the checks Cilium's Sanitize applies.</summary>
internal static class CiliumPolicyReader
{
    public static readonly string[] Entities =
        ["all", "world", "world-ipv4", "world-ipv6", "cluster", "host", "remote-node", "kube-apiserver", "ingress", "health", "init", "unmanaged", "none"];

    private static readonly string[] IngressKeys =
        ["fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities", "fromGroups", "fromNodes", "toPorts", "icmps", "authentication"];

    private static readonly string[] EgressKeys =
        ["toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups", "toNodes", "toPorts", "icmps", "authentication"];

    // fields we parse but cannot evaluate: a warning says so instead of silently widening or narrowing the policy
    private static readonly string[] Unsupported = ["fromRequires", "toRequires", "fromGroups", "toGroups", "fromNodes", "toNodes", "toServices", "icmps"];

    public static CiliumNetworkPolicy? Read(ReadContext ctx, YamlMappingNode obj, PolicyKind kind, string? ns, string name)
    {
        var n = ctx.Nodes;
        var specs = new List<CiliumRuleSpec>();
        var spec = n.Map(YamlNodes.Get(obj, "spec"), "spec");
        if (spec is not null)
        {
            specs.Add(ReadSpec(ctx, spec, 0, "spec", kind));
        }

        var list = n.Seq(YamlNodes.Get(obj, "specs"), "specs");
        foreach (var (item, i) in (list?.Children ?? []).Select((x, i) => (x, i)))
        {
            var m = n.Map(item, $"specs[{i}]") ?? throw new PolicyFormatException(n.Line(item), $"specs[{i}] must not be null");
            specs.Add(ReadSpec(ctx, m, specs.Count, $"specs[{i}]", kind));
        }

        if (specs.Count == 0)
        {
            ctx.Error(obj, 0, "spec or specs is required");
            return null;
        }

        return new CiliumNetworkPolicy(new PolicyRef(kind, ns, name), new SourceLocation(ctx.File, n.Line(obj)), specs);
    }

    private static CiliumRuleSpec ReadSpec(ReadContext ctx, YamlMappingNode spec, int index, string where, PolicyKind kind)
    {
        var n = ctx.Nodes;
        ctx.WarnUnknownKeys(spec, where, "endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny", "labels", "description", "enableDefaultDeny", "log");
        var endpoint = ReadSelector(ctx, YamlNodes.Get(spec, "endpointSelector"), $"{where}.endpointSelector");
        var node = ReadSelector(ctx, YamlNodes.Get(spec, "nodeSelector"), $"{where}.nodeSelector");
        if ((endpoint is null) == (node is null))
        {
            ctx.Error(spec, 0, $"{where}: exactly one of endpointSelector and nodeSelector is required");
        }

        if (node is not null && kind == PolicyKind.CiliumNetworkPolicy)
        {
            ctx.Error(YamlNodes.Get(spec, "nodeSelector"), 0, $"{where}.nodeSelector is only allowed in a CiliumClusterwideNetworkPolicy");
        }
        else if (node is not null)
        {
            ctx.Warning(YamlNodes.Get(spec, "nodeSelector"), 0, $"{where}: host policies (nodeSelector) are loaded but not evaluated");
        }

        var ingress = ReadRules(ctx, YamlNodes.Get(spec, "ingress"), $"{where}.ingress", ingress: true, deny: false);
        var ingressDeny = ReadRules(ctx, YamlNodes.Get(spec, "ingressDeny"), $"{where}.ingressDeny", ingress: true, deny: true);
        var egress = ReadRules(ctx, YamlNodes.Get(spec, "egress"), $"{where}.egress", ingress: false, deny: false);
        var egressDeny = ReadRules(ctx, YamlNodes.Get(spec, "egressDeny"), $"{where}.egressDeny", ingress: false, deny: true);
        var defaults = n.Map(YamlNodes.Get(spec, "enableDefaultDeny"), $"{where}.enableDefaultDeny");
        var denyIngress = n.Bool(YamlNodes.Get(defaults, "ingress"), $"{where}.enableDefaultDeny.ingress") ?? true;
        var denyEgress = n.Bool(YamlNodes.Get(defaults, "egress"), $"{where}.enableDefaultDeny.egress") ?? true;
        return new CiliumRuleSpec(index, n.Line(spec), endpoint, node, ingress, ingressDeny, egress, egressDeny, denyIngress, denyEgress);
    }

    private static CiliumSelector? ReadSelector(ReadContext ctx, YamlNode? node, string where)
    {
        var selector = SelectorReader.Read(ctx, node, where);
        return selector is null ? null : new CiliumSelector(selector.MapKeys(CiliumLabels.NormalizeKey), selector.ToString());
    }

    private static List<CiliumRule> ReadRules(ReadContext ctx, YamlNode? node, string what, bool ingress, bool deny)
    {
        var n = ctx.Nodes;
        var rules = new List<CiliumRule>();
        var seq = n.Seq(node, what);
        if (seq is null)
        {
            return rules;
        }

        var prefix = ingress ? "from" : "to";
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var where = $"{what}[{i}]";
            var item = seq.Children[i];
            var rule = n.Map(item, where) ?? new YamlMappingNode();
            ctx.WarnUnknownKeys(rule, where, ingress ? IngressKeys : EgressKeys);
            foreach (var key in Unsupported.Where(k => YamlNodes.Has(rule, k)))
            {
                ctx.Warning(YamlNodes.Get(rule, key), 0, $"{where}.{key} is not evaluated (the rule is read without it)");
            }

            var endpoints = n.Seq(YamlNodes.Get(rule, $"{prefix}Endpoints"), $"{where}.{prefix}Endpoints")?.Children
                .Select((s, j) => ReadSelector(ctx, s, $"{where}.{prefix}Endpoints[{j}]") ?? new CiliumSelector(LabelSelector.Everything, "{}"))
                .ToArray();
            var entitiesNode = YamlNodes.Get(rule, $"{prefix}Entities");
            var entities = n.StrList(entitiesNode, $"{where}.{prefix}Entities");
            foreach (var e in entities ?? [])
            {
                if (!Entities.Contains(e, StringComparer.Ordinal))
                {
                    ctx.Error(entitiesNode, 0, $"{where}.{prefix}Entities: unknown entity '{e}'");
                }
            }

            var cidrs = ReadCidrs(ctx, rule, where, prefix);
            IReadOnlyList<FqdnSelector>? fqdns = null;
            if (!ingress)
            {
                fqdns = ReadFqdns(ctx, YamlNodes.Get(rule, "toFQDNs"), $"{where}.toFQDNs");
            }

            var ports = ReadToPorts(ctx, YamlNodes.Get(rule, "toPorts"), $"{where}.toPorts", deny);
            rules.Add(new CiliumRule(i, n.Line(item), endpoints, entities, cidrs, fqdns, ports));
        }

        return rules;
    }

    private static List<IpBlock>? ReadCidrs(ReadContext ctx, YamlMappingNode rule, string where, string prefix)
    {
        var n = ctx.Nodes;
        List<IpBlock>? result = null;
        var plainNode = YamlNodes.Get(rule, $"{prefix}CIDR");
        foreach (var (text, j) in (n.StrList(plainNode, $"{where}.{prefix}CIDR") ?? []).Select((t, j) => (t, j)))
        {
            // Cilium accepts a bare address as a /32 (or /128) here
            if (!IpPrefix.TryParse(text, out var p))
            {
                ctx.Error(plainNode, 0, $"{where}.{prefix}CIDR[{j}]: '{text}' is not a valid CIDR");
                continue;
            }

            (result ??= []).Add(new IpBlock(text, p, []));
        }

        var setNode = n.Seq(YamlNodes.Get(rule, $"{prefix}CIDRSet"), $"{where}.{prefix}CIDRSet");
        foreach (var (item, j) in (setNode?.Children ?? []).Select((x, j) => (x, j)))
        {
            var m = n.Map(item, $"{where}.{prefix}CIDRSet[{j}]");
            if (m is not null && YamlNodes.Has(m, "cidrGroupRef"))
            {
                ctx.Warning(m, 0, $"{where}.{prefix}CIDRSet[{j}].cidrGroupRef is not evaluated");
                continue;
            }

            if (NetworkPolicyReader.ReadIpBlock(ctx, item, $"{where}.{prefix}CIDRSet[{j}]") is { } block)
            {
                (result ??= []).Add(block);
            }
        }

        return result;
    }

    private static List<FqdnSelector>? ReadFqdns(ReadContext ctx, YamlNode? node, string what)
    {
        var n = ctx.Nodes;
        var seq = n.Seq(node, what);
        if (seq is null)
        {
            return null;
        }

        var result = new List<FqdnSelector>();
        for (var j = 0; j < seq.Children.Count; j++)
        {
            var m = n.Map(seq.Children[j], $"{what}[{j}]");
            var name = n.Str(YamlNodes.Get(m, "matchName"), $"{what}[{j}].matchName");
            var pattern = n.Str(YamlNodes.Get(m, "matchPattern"), $"{what}[{j}].matchPattern");
            if (name is null && pattern is null)
            {
                ctx.Error(seq.Children[j], 0, $"{what}[{j}]: matchName or matchPattern is required");
                continue;
            }

            result.Add(new FqdnSelector(name, pattern));
        }

        return result;
    }

    private static List<CiliumPortRule>? ReadToPorts(ReadContext ctx, YamlNode? node, string what, bool deny)
    {
        var n = ctx.Nodes;
        var seq = n.Seq(node, what);
        if (seq is null)
        {
            return null;
        }

        var result = new List<CiliumPortRule>();
        for (var j = 0; j < seq.Children.Count; j++)
        {
            var where = $"{what}[{j}]";
            var m = n.Map(seq.Children[j], where) ?? new YamlMappingNode();
            var ports = new List<CiliumPort>();
            var portSeq = n.Seq(YamlNodes.Get(m, "ports"), $"{where}.ports");
            foreach (var (p, k) in (portSeq?.Children ?? []).Select((x, k) => (x, k)))
            {
                if (ReadPort(ctx, p, $"{where}.ports[{k}]") is { } port)
                {
                    ports.Add(port);
                }
            }

            L7Rules? l7 = null;
            var rulesNode = n.Map(YamlNodes.Get(m, "rules"), $"{where}.rules");
            if (rulesNode is not null)
            {
                if (deny)
                {
                    ctx.Error(rulesNode, 0, $"{where}.rules: L7 rules are not allowed in deny rules");
                }

                var http = n.Seq(YamlNodes.Get(rulesNode, "http"), $"{where}.rules.http")?.Children.Select((h, k) =>
                {
                    var hm = n.Map(h, $"{where}.rules.http[{k}]");
                    if (hm is not null && YamlNodes.Has(hm, "headers"))
                    {
                        ctx.Warning(hm, 0, $"{where}.rules.http[{k}].headers are not evaluated");
                    }

                    return new HttpRule(n.Str(YamlNodes.Get(hm, "method"), "method"), n.Str(YamlNodes.Get(hm, "path"), "path"), n.Str(YamlNodes.Get(hm, "host"), "host"));
                }).ToArray();
                var dns = ReadFqdns(ctx, YamlNodes.Get(rulesNode, "dns"), $"{where}.rules.dns");
                var other = YamlNodes.Keys(rulesNode).Any(k => k is not ("http" or "dns"));
                if (other)
                {
                    ctx.Warning(rulesNode, 0, $"{where}.rules: only http and dns L7 rules are evaluated; others allow the connection at L4");
                }

                l7 = new L7Rules(http, dns, other);
            }

            result.Add(new CiliumPortRule(ports, l7));
        }

        return result;
    }

    private static CiliumPort? ReadPort(ReadContext ctx, YamlNode node, string where)
    {
        var n = ctx.Nodes;
        var m = n.Map(node, where);
        var protocolNode = YamlNodes.Get(m, "protocol");
        var protocolText = n.Str(protocolNode, $"{where}.protocol")?.ToUpperInvariant();
        L4Protocol? protocol = protocolText switch
        {
            null or "ANY" => null,
            "TCP" => L4Protocol.Tcp,
            "UDP" => L4Protocol.Udp,
            "SCTP" => L4Protocol.Sctp,
            _ => L4Protocol.Unknown,
        };
        if (protocol == L4Protocol.Unknown)
        {
            ctx.Error(protocolNode, 0, $"{where}.protocol: '{protocolText}' is not TCP, UDP, SCTP or ANY");
            return null;
        }

        var portNode = YamlNodes.Get(m, "port");
        // Cilium writes ports as strings ("80"); a numeric string is a number here
        var portText = n.Str(portNode, $"{where}.port");
        int? number = null;
        string? name = null;
        if (portText is not null && int.TryParse(portText, System.Globalization.CultureInfo.InvariantCulture, out var v))
        {
            if (v is < 0 or > 65535)
            {
                ctx.Error(portNode, 0, $"{where}.port: {v} must be between 0 and 65535");
                return null;
            }

            number = v == 0 ? null : v;
        }
        else if (portText is not null)
        {
            if (!NetworkPolicyReader.IsValidPortName(portText.ToLowerInvariant()))
            {
                ctx.Error(portNode, 0, $"{where}.port: '{portText}' is neither a port number nor a valid port name");
                return null;
            }

            name = portText.ToLowerInvariant();
        }

        var endNode = YamlNodes.Get(m, "endPort");
        var end = n.Int(endNode, $"{where}.endPort");
        if (end is { } e && e != 0)
        {
            if (name is not null || number is null)
            {
                ctx.Error(endNode, 0, $"{where}.endPort needs a numeric port");
                return null;
            }

            if (e < number)
            {
                ctx.Error(endNode, 0, $"{where}.endPort {e} must be greater than or equal to port {number}");
                return null;
            }
        }
        else
        {
            end = null;
        }

        return new CiliumPort(protocol, number, name, end);
    }
}
