using System.Text.RegularExpressions;
using Inference.Core.Flows;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>Reads a networking.k8s.io/v1 NetworkPolicy and applies the API server's validation (ValidateNetworkPolicy).</summary>
internal static partial class NetworkPolicyReader
{
    public static KubernetesNetworkPolicy? Read(ReadContext ctx, YamlMappingNode obj, string ns, string name)
    {
        var n = ctx.Nodes;
        var objLine = n.Line(obj);
        var spec = n.Map(YamlNodes.Get(obj, "spec"), "spec");
        if (spec is null)
        {
            ctx.Error(obj, 0, "spec is required");
            return null;
        }

        ctx.WarnUnknownKeys(spec, "spec", "podSelector", "policyTypes", "ingress", "egress");
        // podSelector missing or null selects every pod of the namespace, like {}
        var podSelector = SelectorReader.Read(ctx, YamlNodes.Get(spec, "podSelector"), "spec.podSelector") ?? LabelSelector.Everything;

        PolicyTypes? declared = null;
        var typesNode = YamlNodes.Get(spec, "policyTypes");
        var typeNames = n.StrList(typesNode, "spec.policyTypes");
        if (typeNames is { Count: > 0 })
        {
            var types = PolicyTypes.None;
            foreach (var t in typeNames)
            {
                var flag = t switch
                {
                    "Ingress" => PolicyTypes.Ingress,
                    "Egress" => PolicyTypes.Egress,
                    _ => PolicyTypes.None,
                };
                if (flag == PolicyTypes.None)
                {
                    ctx.Error(typesNode, objLine, $"spec.policyTypes: '{t}' is not Ingress or Egress");
                }
                else if ((types & flag) != 0)
                {
                    ctx.Error(typesNode, objLine, $"spec.policyTypes: '{t}' is listed twice");
                }

                types |= flag;
            }

            declared = types;
        }

        var ingress = ReadRules(ctx, YamlNodes.Get(spec, "ingress"), "ingress", "from");
        var egress = ReadRules(ctx, YamlNodes.Get(spec, "egress"), "egress", "to");
        return new KubernetesNetworkPolicy(new PolicyRef(PolicyKind.NetworkPolicy, ns, name), new SourceLocation(ctx.File, objLine),
            podSelector, declared, ingress, egress);
    }

    private static List<NetworkPolicyRule>? ReadRules(ReadContext ctx, YamlNode? node, string direction, string peersKey)
    {
        var n = ctx.Nodes;
        var seq = n.Seq(node, $"spec.{direction}");
        if (seq is null)
        {
            return null;
        }

        var rules = new List<NetworkPolicyRule>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var where = $"spec.{direction}[{i}]";
            var item = seq.Children[i];
            // `- {}` and a bare `-` are both the empty rule: all peers, all ports
            var rule = n.Map(item, where);
            if (rule is not null)
            {
                ctx.WarnUnknownKeys(rule, where, peersKey, "ports");
            }

            var peers = ReadPeers(ctx, YamlNodes.Get(rule, peersKey), $"{where}.{peersKey}");
            var ports = ReadPorts(ctx, YamlNodes.Get(rule, "ports"), $"{where}.ports");
            rules.Add(new NetworkPolicyRule(i, n.Line(item), peers, ports));
        }

        return rules;
    }

    private static List<NetworkPolicyPeer>? ReadPeers(ReadContext ctx, YamlNode? node, string what)
    {
        var n = ctx.Nodes;
        var seq = n.Seq(node, what);
        if (seq is null)
        {
            return null;
        }

        var peers = new List<NetworkPolicyPeer>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var where = $"{what}[{i}]";
            var map = n.Map(seq.Children[i], where);
            if (map is null)
            {
                ctx.Error(seq.Children[i], 0, $"{where}: must specify a peer (podSelector, namespaceSelector or ipBlock)");
                continue;
            }

            ctx.WarnUnknownKeys(map, where, "podSelector", "namespaceSelector", "ipBlock");
            var pod = SelectorReader.Read(ctx, YamlNodes.Get(map, "podSelector"), $"{where}.podSelector");
            var nsSel = SelectorReader.Read(ctx, YamlNodes.Get(map, "namespaceSelector"), $"{where}.namespaceSelector");
            var ipBlock = ReadIpBlock(ctx, YamlNodes.Get(map, "ipBlock"), $"{where}.ipBlock");
            var hasIpBlock = !YamlNodes.IsNull(YamlNodes.Get(map, "ipBlock"));
            if (hasIpBlock && (pod is not null || nsSel is not null))
            {
                ctx.Error(map, 0, $"{where}: may not specify both ipBlock and another peer");
            }
            else if (!hasIpBlock && pod is null && nsSel is null)
            {
                ctx.Error(map, 0, $"{where}: must specify a peer (podSelector, namespaceSelector or ipBlock)");
            }

            peers.Add(new NetworkPolicyPeer(pod, nsSel, ipBlock));
        }

        return peers;
    }

    internal static IpBlock? ReadIpBlock(ReadContext ctx, YamlNode? node, string what, string cidrKey = "cidr", string exceptKey = "except")
    {
        var n = ctx.Nodes;
        var map = n.Map(node, what);
        if (map is null)
        {
            return null;
        }

        var cidrNode = YamlNodes.Get(map, cidrKey);
        var cidrText = n.Str(cidrNode, $"{what}.{cidrKey}");
        if (cidrText is null)
        {
            ctx.Error(map, 0, $"{what}.{cidrKey} is required");
            return null;
        }

        if (!IpPrefix.TryParse(cidrText, out var cidr) || !cidrText.Contains('/', StringComparison.Ordinal))
        {
            ctx.Error(cidrNode, 0, $"{what}.{cidrKey}: '{cidrText}' is not a valid CIDR");
            return null;
        }

        if (!IpPrefix.IsCanonical(cidrText))
        {
            ctx.Warning(cidrNode, 0, $"{what}.{cidrKey}: '{cidrText}' has host bits set; read as {cidr}");
        }

        var excepts = new List<IpPrefix>();
        var exceptNode = YamlNodes.Get(map, exceptKey);
        foreach (var (text, i) in (n.StrList(exceptNode, $"{what}.{exceptKey}") ?? []).Select((t, i) => (t, i)))
        {
            if (!IpPrefix.TryParse(text, out var e) || !text.Contains('/', StringComparison.Ordinal))
            {
                ctx.Error(exceptNode, 0, $"{what}.{exceptKey}[{i}]: '{text}' is not a valid CIDR");
            }
            else if (!cidr.Covers(e) || e.Length <= cidr.Length)
            {
                ctx.Error(exceptNode, 0, $"{what}.{exceptKey}[{i}]: '{text}' must be a strict subset of {cidrKey} '{cidrText}'");
            }
            else
            {
                excepts.Add(e);
            }
        }

        return new IpBlock(cidrText, cidr, excepts);
    }

    private static List<NetworkPolicyPort>? ReadPorts(ReadContext ctx, YamlNode? node, string what)
    {
        var n = ctx.Nodes;
        var seq = n.Seq(node, what);
        if (seq is null)
        {
            return null;
        }

        var ports = new List<NetworkPolicyPort>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var where = $"{what}[{i}]";
            var map = n.Map(seq.Children[i], where);
            var protocolNode = YamlNodes.Get(map, "protocol");
            var protocolText = n.Str(protocolNode, $"{where}.protocol");
            var protocol = protocolText switch
            {
                null => L4Protocol.Tcp,
                "TCP" => L4Protocol.Tcp,
                "UDP" => L4Protocol.Udp,
                "SCTP" => L4Protocol.Sctp,
                _ => L4Protocol.Unknown,
            };
            if (protocol == L4Protocol.Unknown)
            {
                ctx.Error(protocolNode, 0, $"{where}.protocol: '{protocolText}' is not TCP, UDP or SCTP");
                continue;
            }

            if (map is not null)
            {
                ctx.WarnUnknownKeys(map, where, "protocol", "port", "endPort");
            }

            var portNode = YamlNodes.Get(map, "port");
            var (number, portName) = n.IntOrString(portNode, $"{where}.port");
            var endNode = YamlNodes.Get(map, "endPort");
            var endPort = n.Int(endNode, $"{where}.endPort");
            var line = map is null ? n.Line(seq.Children[i]) : n.Line(map);
            if (number is { } p && (p < 1 || p > 65535))
            {
                ctx.Error(portNode, line, $"{where}.port: {p} must be between 1 and 65535");
            }

            if (portName is not null && !IsValidPortName(portName))
            {
                ctx.Error(portNode, line, $"{where}.port: '{portName}' is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and '-', with at least one letter)");
            }

            if (endPort is { } e)
            {
                if (portName is not null)
                {
                    ctx.Error(endNode, line, $"{where}.endPort may not be specified when port is a named port ('{portName}')");
                }
                else if (number is null)
                {
                    ctx.Error(endNode, line, $"{where}.endPort may not be specified without port");
                }
                else if (e < number)
                {
                    ctx.Error(endNode, line, $"{where}.endPort {e} must be greater than or equal to port {number}");
                }
                else if (e > 65535)
                {
                    ctx.Error(endNode, line, $"{where}.endPort: {e} must be between 1 and 65535");
                }
            }

            ports.Add(new NetworkPolicyPort(protocol, number, portName, endPort));
        }

        return ports;
    }

    public static bool IsValidPortName(string name) =>
        name.Length is >= 1 and <= 15 && PortNameRegex().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal) && name.Any(char.IsAsciiLetter);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex PortNameRegex();
}
