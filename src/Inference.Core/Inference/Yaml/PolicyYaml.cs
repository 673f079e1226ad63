using Inference.Core.Flows;
using System.Globalization;
using Inference.Core.Inference.Rules;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Yaml;

/// <summary>
/// Renders a suggested policy from its model object (what the evaluator verified), with one comment per rule naming
/// its evidence so a pull request shows why each rule exists.
/// </summary>
public static class PolicyYaml
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "inference";

    public static string Render(SuggestedPolicy policy, SuggestFormat format)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(text, policy, format);
        return text.ToString();
    }

    /// <summary>Renders straight into <paramref name="writer"/> (a file): a large suggestion never holds its YAML as strings.</summary>
    public static void Write(TextWriter writer, SuggestedPolicy policy, SuggestFormat format)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(policy);
        var y = new YamlText(writer);
        y.Comment(0, Header(policy));
        switch (policy.Model)
        {
            case KubernetesNetworkPolicy k:
                Kubernetes(y, policy, k, format == SuggestFormat.CalicoStaged);
                break;
            case CiliumNetworkPolicy c:
                Cilium(y, policy, c);
                break;
            default:
                throw new InvalidOperationException($"bug: no renderer for {policy.Model.GetType().Name}");
        }
    }

    /// <summary>Several policies as one YAML stream, in the given order.</summary>
    public static string RenderAll(IEnumerable<SuggestedPolicy> policies, SuggestFormat format) =>
        string.Join("---\n", policies.Select(p => Render(p, format)));

    private static string Header(SuggestedPolicy p) => p.Kind switch
    {
        SuggestedPolicyKind.DefaultDeny => $"every pod in {p.Namespace}: nothing in or out unless another policy allows it",
        SuggestedPolicyKind.Dns => $"every pod in {p.Namespace} may query the cluster resolver (UDP and TCP)",
        _ => $"{p.Workload}: what was observed, nothing more",
    };

    private static void Metadata(YamlText y, SuggestedPolicy p, string apiVersion, string kind)
    {
        y.Line(0, $"apiVersion: {apiVersion}").Line(0, $"kind: {kind}").Line(0, "metadata:")
            .Line(1, $"name: {YamlText.Scalar(p.Name)}").Line(1, $"namespace: {YamlText.Scalar(p.Namespace)}")
            .Line(1, "labels:").Line(2, $"{ManagedByLabel}: {ManagedBy}");
    }

    private static void Kubernetes(YamlText y, SuggestedPolicy p, KubernetesNetworkPolicy k, bool staged)
    {
        if (staged)
        {
            // Calico records what it would do (pending verdicts in flow logs) without enforcing it
            Metadata(y, p, "projectcalico.org/v3", "StagedKubernetesNetworkPolicy");
            y.Line(0, "spec:").Line(1, "stagedAction: Set");
        }
        else
        {
            Metadata(y, p, "networking.k8s.io/v1", "NetworkPolicy");
            y.Line(0, "spec:");
        }

        Selector(y, 1, "podSelector", k.PodSelector);
        y.Line(1, "policyTypes:");
        if ((k.DeclaredTypes & PolicyTypes.Ingress) != 0)
        {
            y.Line(1, "- Ingress");
        }

        if ((k.DeclaredTypes & PolicyTypes.Egress) != 0)
        {
            y.Line(1, "- Egress");
        }

        if (k.Ingress is not null)
        {
            KubernetesRules(y, "ingress", "from", k.Ingress, p.Ingress, k.Namespace);
        }

        if (k.Egress is not null)
        {
            KubernetesRules(y, "egress", "to", k.Egress, p.Egress, k.Namespace);
        }
    }

    private static void KubernetesRules(YamlText y, string list, string peersKey, IReadOnlyList<NetworkPolicyRule> rules, IReadOnlyList<SuggestedRule> suggested, string ns)
    {
        if (rules.Count == 0)
        {
            y.Line(1, $"{list}: []");
            return;
        }

        y.Line(1, $"{list}:");
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            Evidence(y, 1, suggested.ElementAtOrDefault(i));
            var first = true;
            string Item() => first ? "- " : "  ";
            if (!rule.AllPeers)
            {
                y.Line(1, Item(), peersKey, ":");
                first = false;
                foreach (var peer in rule.Peers!)
                {
                    if (peer.IpBlock is { } block)
                    {
                        y.Line(2, "- ipBlock:").Line(4, "cidr: ", YamlText.Scalar(block.CidrText));
                        continue;
                    }

                    // the first key of a peer opens its list item
                    if (peer.PodSelector is not null)
                    {
                        Selector(y, 2, "- podSelector", peer.PodSelector, 4);
                    }

                    if (peer.NamespaceSelector is not null)
                    {
                        Selector(y, 2, peer.PodSelector is null ? "- namespaceSelector" : "  namespaceSelector", peer.NamespaceSelector, 4);
                    }
                }
            }

            if (!rule.AllPorts)
            {
                y.Line(1, Item(), "ports:");
                first = false;
                foreach (var port in rule.Ports!)
                {
                    y.Line(2, "- protocol: ", port.Protocol.ToWire());
                    if (port.Port is { } number)
                    {
                        y.Line(3, "port: ", YamlText.Number(number));
                    }

                    if (port.EndPort is { } end)
                    {
                        y.Line(3, $"endPort: {YamlText.Number(end)}");
                    }
                }
            }
        }
    }

    private static void Cilium(YamlText y, SuggestedPolicy p, CiliumNetworkPolicy c)
    {
        Metadata(y, p, "cilium.io/v2", "CiliumNetworkPolicy");
        var spec = c.Specs[0];
        y.Line(0, "spec:");
        Selector(y, 1, "endpointSelector", spec.EndpointSelector!.Selector);
        if (p.Kind == SuggestedPolicyKind.DefaultDeny)
        {
            // an empty rule allows nothing and switches on default-deny for its direction
            y.Line(1, "ingress:").Line(1, "- {}").Line(1, "egress:").Line(1, "- {}");
            return;
        }

        CiliumRules(y, "ingress", "from", spec.Ingress, p.Ingress);
        CiliumRules(y, "egress", "to", spec.Egress, p.Egress);
    }

    private static void CiliumRules(YamlText y, string list, string prefix, IReadOnlyList<CiliumRule> rules, IReadOnlyList<SuggestedRule> suggested)
    {
        if (suggested.Count == 0)
        {
            return;
        }

        y.Line(1, $"{list}:");
        foreach (var s in suggested)
        {
            Evidence(y, 1, s);
            var first = true;
            string Item()
            {
                var lead = first ? "- " : "  ";
                first = false;
                return lead;
            }

            // ICMP rules come after the model's rules, with the same peers written out from the suggestion
            var rule = s.IsIcmp ? null : rules[s.Index];
            var endpoints = rule?.Endpoints?.Select(e => e.Selector) ?? s.Peers.Where(x => x.Kind == RulePeerKind.Workload).Select(x => x.Selector!);
            var endpointNamespaces = s.Peers.Where(x => x.Kind == RulePeerKind.Workload).Select(x => x.Namespace).ToList();
            var selectors = endpoints.ToList();
            if (selectors.Count > 0)
            {
                y.Line(1, Item(), prefix, "Endpoints:");
                for (var i = 0; i < selectors.Count; i++)
                {
                    var sel = selectors[i];
                    if (s.IsIcmp && endpointNamespaces[i] is { } ns)
                    {
                        sel = new LabelSelector(new Dictionary<string, string>(sel.MatchLabels.ToDictionary(), StringComparer.Ordinal) { [CiliumLabels.PodNamespace] = ns });
                    }

                    CiliumSelector(y, 2, sel);
                }
            }

            var entities = rule?.Entities ?? [.. s.Peers.Where(x => x.Kind is RulePeerKind.Entity or RulePeerKind.AllPods).Select(x => x.Kind == RulePeerKind.AllPods ? "cluster" : x.Entity!)];
            if (entities.Count > 0)
            {
                y.Line(1, $"{Item()}{prefix}Entities:");
                foreach (var e in entities)
                {
                    y.Line(2, $"- {YamlText.Scalar(e)}");
                }
            }

            var cidrs = rule?.Cidrs?.Select(b => b.CidrText).ToList() ?? [.. s.Peers.Where(x => x.Kind == RulePeerKind.Cidr).Select(x => x.Cidr!.Value.ToString())];
            if (cidrs.Count > 0)
            {
                y.Line(1, Item(), prefix, "CIDR:");
                foreach (var cidr in cidrs)
                {
                    y.Line(2, "- ", YamlText.Scalar(cidr));
                }
            }

            var fqdns = rule?.Fqdns?.Select(f => f.MatchName!).ToList() ?? [.. s.Peers.Where(x => x.Kind == RulePeerKind.Fqdn).Select(x => x.Fqdn!)];
            if (fqdns.Count > 0)
            {
                y.Line(1, $"{Item()}toFQDNs:");
                foreach (var name in fqdns)
                {
                    y.Line(2, $"- matchName: {YamlText.Scalar(name)}");
                }
            }

            if (rule?.ToPorts is { Count: > 0 } toPorts)
            {
                y.Line(1, Item(), "toPorts:");
                foreach (var pr in toPorts)
                {
                    y.Line(2, "- ports:");
                    foreach (var port in pr.Ports)
                    {
                        // Cilium's CRD types the port as a string
                        y.Line(3, $"- port: {YamlText.Quote(YamlText.Number(port.Port ?? 0))}").Line(4, $"protocol: {port.Protocol?.ToWire() ?? "ANY"}");
                        if (port.EndPort is { } end)
                        {
                            y.Line(4, $"endPort: {YamlText.Number(end)}");
                        }
                    }

                    if (pr.Rules is { } l7)
                    {
                        y.Line(3, "rules:");
                        if (l7.Dns is { } dns)
                        {
                            y.Line(4, "dns:");
                            foreach (var d in dns)
                            {
                                y.Line(4, $"- matchPattern: {YamlText.Quote(d.MatchPattern!)}");
                            }
                        }

                        if (l7.Http is { } http)
                        {
                            y.Line(4, "http:");
                            foreach (var h in http)
                            {
                                y.Line(4, $"- method: {YamlText.Quote(h.Method!)}").Line(5, $"path: {YamlText.Quote(h.Path!)}");
                            }
                        }
                    }
                }
            }

            if (s.IsIcmp)
            {
                y.Line(1, $"{Item()}icmps:");
                y.Line(2, "- fields:");
                foreach (var icmp in s.Icmps)
                {
                    y.Line(3, $"- type: {YamlText.Number(icmp.Type)}").Line(4, $"family: {(icmp.IsV6 ? "IPv6" : "IPv4")}");
                }
            }
        }
    }

    private static void CiliumSelector(YamlText y, int indent, LabelSelector selector)
    {
        y.Line(indent, "- matchLabels:");
        foreach (var (key, value) in selector.OrderedLabels)
        {
            // the namespace is an identity label Cilium derives: written with its k8s: source, as Cilium's docs do
            var k = key == CiliumLabels.PodNamespace ? "k8s:" + key : key;
            y.Line(indent + 2, YamlText.Scalar(k), ": ", YamlText.Scalar(value));
        }
    }

    private static void Selector(YamlText y, int indent, string key, LabelSelector selector, int? childIndent = null)
    {
        if (selector.IsEmpty)
        {
            y.Line(indent, $"{key}: {{}}");
            return;
        }

        var inner = childIndent ?? indent + 1;
        y.Line(indent, key, ":").Line(inner, "matchLabels:");
        foreach (var (k, v) in selector.OrderedLabels)
        {
            y.Line(inner + 1, YamlText.Scalar(k), ": ", YamlText.Scalar(v));
        }
    }

    private static void Evidence(YamlText y, int indent, SuggestedRule? rule)
    {
        if (rule is null || rule.Evidence.Edges.Count == 0)
        {
            return;
        }

        var e = rule.Evidence;
        var verdicts = string.Join(" ", e.Verdicts.Select(v => $"{v.Key}={v.Value.ToString(CultureInfo.InvariantCulture)}"));
        y.Comment(indent, $"{e.Connections.ToString(CultureInfo.InvariantCulture)} connections ({verdicts}) on {e.Edges.Count.ToString(CultureInfo.InvariantCulture)} edges, "
            + $"{e.FirstSeen:yyyy-MM-dd} .. {e.LastSeen:yyyy-MM-dd}");
    }
}
