using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;
using static Inference.Core.Tests.Evaluation.E2eModel;

namespace Inference.Core.Tests.Evaluation;

/// <summary>One case per point of shared/reference/networkpolicy-semantics.md (section numbers in the names).</summary>
public sealed class SemanticsReferenceTests
{
    private static readonly ClusterSnapshot Cluster = Snapshot();

    private static PolicyEvaluator Evaluator(string yaml, bool ipBlockPods = false) =>
        new(PolicySetOf(yaml), new EvaluatorOptions { IpBlockMatchesPodIps = ipBlockPods });

    private static EvaluationResult Pods(string yaml, string from, string to, L4Protocol protocol = L4Protocol.Tcp, int port = 80, bool ipBlockPods = false) =>
        Probe(Evaluator(yaml, ipBlockPods), Cluster, from, to, protocol, port);

    private static EvaluationResult FromExternal(string yaml, string ip, string to, int port = 80, bool ipBlockPods = false)
    {
        var dst = Cluster.FindPod(to.Split('/')[0], to.Split('/')[1])!;
        return Evaluator(yaml, ipBlockPods).Evaluate(new ConnectionProbe(ConnectionEnd.ForExternal(ip), ConnectionEnd.ForPod(dst), L4Protocol.Tcp, port));
    }

    private static EvaluationResult ToExternal(string yaml, string from, string ip, int port = 80, bool ipBlockPods = false)
    {
        var src = Cluster.FindPod(from.Split('/')[0], from.Split('/')[1])!;
        return Evaluator(yaml, ipBlockPods).Evaluate(new ConnectionProbe(ConnectionEnd.ForPod(src), ConnectionEnd.ForExternal(ip), L4Protocol.Tcp, port));
    }

    private static string Policy(string spec, string name = "p", string ns = "x") =>
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n" +
        string.Join("\n", spec.Split('\n').Select(l => "  " + l));

    [Fact]
    public void S3_1_a_policy_for_one_direction_does_not_affect_the_other()
    {
        var yaml = Policy("podSelector: {}\npolicyTypes: [Egress]");
        var r = Pods(yaml, "y/a", "x/a");
        Assert.True(r.Allowed);
        Assert.Equal(DirectionOutcome.NotIsolated, r.Ingress.Outcome);
        Assert.False(Pods(yaml, "x/a", "y/a").Allowed);
    }

    [Fact]
    public void S3_1_policies_are_additive_and_the_report_names_the_rule()
    {
        var yaml = Policy("podSelector: {}\npolicyTypes: [Ingress]", "deny") + "\n---\n" +
                   Policy("podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{podSelector: {matchLabels: {pod: c}}}]\n- from: [{podSelector: {matchLabels: {pod: b}}}]", "allow-b");
        var r = Pods(yaml, "x/b", "x/a");
        Assert.True(r.Allowed);
        Assert.Equal(new RuleRef(new PolicyRef(PolicyKind.NetworkPolicy, "x", "allow-b"), PolicyDirection.Ingress, 1), r.Ingress.AllowedBy);
        Assert.Equal(["allow-b", "deny"], r.Ingress.IsolatedBy.Select(p => p.Name));
        var denied = Pods(yaml, "y/b", "x/a");
        Assert.False(denied.Allowed);
        Assert.Equal(DirectionOutcome.NotAllowed, denied.Ingress.Outcome);
        Assert.Null(denied.Ingress.AllowedBy);
    }

    [Fact]
    public void S3_2_both_ends_must_allow_and_external_ends_need_one_side()
    {
        var yaml = Policy("podSelector: {}\npolicyTypes: [Egress]", "deny-egress", "y");
        Assert.False(Pods(yaml, "y/a", "x/a").Allowed);
        var r = Pods(yaml, "x/a", "y/a");
        Assert.True(r.Allowed);
        Assert.Equal(DirectionOutcome.NotIsolated, r.Egress.Outcome);
        Assert.False(ToExternal(yaml.Replace("namespace: y", "namespace: x", StringComparison.Ordinal), "x/a", "8.8.8.8").Allowed);
        var fromWorld = FromExternal(Policy("podSelector: {}\ningress: [{}]"), "8.8.8.8", "x/a");
        Assert.True(fromWorld.Allowed);
        Assert.Equal(DirectionOutcome.NotApplicable, fromWorld.Egress.Outcome);
    }

    [Fact]
    public void S3_3_omitted_policyTypes_defaults_to_ingress_plus_egress_when_egress_rules_exist()
    {
        // legacy "should allow egress access on one named port": egress rules without policyTypes also deny all ingress
        var yaml = Policy("podSelector: {}\negress:\n- ports: [{port: serve-80-tcp}]");
        Assert.False(Pods(yaml, "y/a", "x/a").Allowed);
        Assert.True(Pods(yaml, "x/a", "y/a").Allowed);
        Assert.False(Pods(yaml, "x/a", "y/a", port: 81).Allowed);
        var policy = Assert.IsType<KubernetesNetworkPolicy>(PolicySetOf(yaml).Policies[0]);
        Assert.Equal(PolicyTypes.Ingress | PolicyTypes.Egress, policy.EffectiveTypes);
    }

    [Fact]
    public void S3_3_empty_egress_list_without_policyTypes_affects_ingress_only()
    {
        var yaml = Policy("podSelector: {}\negress: []\ningress: [{}]");
        Assert.True(Pods(yaml, "x/a", "y/a").Allowed);
        Assert.Equal(PolicyTypes.Ingress, Assert.IsType<KubernetesNetworkPolicy>(PolicySetOf(yaml).Policies[0]).EffectiveTypes);
    }

    [Fact]
    public void S3_3_explicit_policyTypes_ignores_rules_of_other_direction()
    {
        var egressOnly = Policy("podSelector: {}\npolicyTypes: [Egress]\ningress:\n- from: [{podSelector: {matchLabels: {pod: b}}}]\negress: [{}]");
        Assert.True(Pods(egressOnly, "y/a", "x/a").Allowed);
        var ingressOnly = Policy("podSelector: {}\npolicyTypes: [Ingress]\ningress: [{}]\negress:\n- to: [{podSelector: {matchLabels: {pod: b}}}]");
        Assert.True(Pods(ingressOnly, "x/a", "y/c").Allowed);
    }

    [Fact]
    public void S3_4_null_podSelector_selects_every_pod()
    {
        Assert.False(Pods(Policy("podSelector:\npolicyTypes: [Ingress]"), "y/a", "x/c").Allowed);
        Assert.False(Pods(Policy("podSelector: {matchLabels: {}}\npolicyTypes: [Ingress]"), "y/a", "x/c").Allowed);
        Assert.False(Pods(Policy("policyTypes: [Ingress]"), "y/a", "x/c").Allowed);
    }

    [Fact]
    public void S3_4_missing_or_empty_ingress_denies_and_empty_rule_allows_external()
    {
        Assert.False(Pods(Policy("podSelector: {}\npolicyTypes: [Ingress]\ningress: []"), "y/a", "x/a").Allowed);
        Assert.True(FromExternal(Policy("podSelector: {}\ningress: [{}]"), "203.0.113.9", "x/a").Allowed);
        Assert.True(FromExternal(Policy("podSelector: {}\ningress:\n- from: []"), "203.0.113.9", "x/a").Allowed);
        Assert.True(FromExternal(Policy("podSelector: {}\ningress:\n- ports: []"), "203.0.113.9", "x/a", port: 9999).Allowed);
    }

    [Fact]
    public void S3_4_empty_port_entry_means_every_TCP_port()
    {
        var yaml = Policy("podSelector: {}\ningress:\n- ports: [{}]");
        Assert.True(Pods(yaml, "y/a", "x/a", L4Protocol.Tcp, 12345).Allowed);
        Assert.False(Pods(yaml, "y/a", "x/a", L4Protocol.Udp, 80).Allowed);
    }

    [Fact]
    public void S3_4_namespaceSelector_never_matches_external_addresses()
    {
        var yaml = Policy("podSelector: {}\ningress:\n- from: [{namespaceSelector: {}}]");
        Assert.True(Pods(yaml, "z/c", "x/a").Allowed);
        Assert.False(FromExternal(yaml, "203.0.113.9", "x/a").Allowed);
    }

    [Fact]
    public void S3_5_NotIn_and_DoesNotExist_match_objects_without_the_key()
    {
        var snapshot = Snapshot(nsLabels: ns => ns == "z" ? new Dictionary<string, string>() : new Dictionary<string, string> { ["ns-name"] = ns });
        var yaml = Policy("podSelector: {}\ningress:\n- from: [{namespaceSelector: {matchExpressions: [{key: ns-name, operator: NotIn, values: [y]}]}}]");
        var evaluator = Evaluator(yaml);
        Assert.True(Probe(evaluator, snapshot, "z/a", "x/a", L4Protocol.Tcp, 80).Allowed);
        Assert.False(Probe(evaluator, snapshot, "y/a", "x/a", L4Protocol.Tcp, 80).Allowed);
        var dne = Policy("podSelector: {}\ningress:\n- from: [{podSelector: {matchExpressions: [{key: isolated, operator: DoesNotExist}]}}]");
        Assert.True(Pods(dne, "x/b", "x/a").Allowed);
    }

    [Fact]
    public void S3_5_Exists_matches_an_empty_value()
    {
        var snapshot = Snapshot(podLabels: (ns, p) => p == "b" ? new Dictionary<string, string> { ["pod"] = p, ["isolated"] = "" } : new Dictionary<string, string> { ["pod"] = p });
        var yaml = Policy("podSelector: {matchExpressions: [{key: isolated, operator: Exists}]}\npolicyTypes: [Ingress]");
        var evaluator = Evaluator(yaml);
        Assert.False(Probe(evaluator, snapshot, "y/a", "x/b", L4Protocol.Tcp, 80).Allowed);
        Assert.True(Probe(evaluator, snapshot, "y/a", "x/a", L4Protocol.Tcp, 80).Allowed);
    }

    [Fact]
    public void S3_6_named_ports_resolve_on_the_destination_pod_with_protocol()
    {
        // same name, different numbers on different pods
        var pods = new List<PodEndpoint>
        {
            new("x", "a", new Dictionary<string, string> { ["pod"] = "a" }, new Dictionary<string, string>(), [new ContainerPort("web", 8080, L4Protocol.Tcp)], ["10.9.0.1"]),
            new("x", "b", new Dictionary<string, string> { ["pod"] = "b" }, new Dictionary<string, string>(), [new ContainerPort("web", 9090, L4Protocol.Tcp)], ["10.9.0.2"]),
            new("x", "c", new Dictionary<string, string> { ["pod"] = "c" }, new Dictionary<string, string>(), [], ["10.9.0.3"]),
        };
        var snapshot = ClusterSnapshot.Create([], pods);
        var evaluator = Evaluator(Policy("podSelector: {}\ningress:\n- ports: [{port: web}]"));
        EvaluationResult P(string from, string to, int port) => Probe(evaluator, snapshot, from, to, L4Protocol.Tcp, port);
        Assert.True(P("x/b", "x/a", 8080).Allowed);
        Assert.False(P("x/b", "x/a", 9090).Allowed);
        Assert.True(P("x/a", "x/b", 9090).Allowed);
        Assert.False(P("x/a", "x/b", 8080).Allowed);
        Assert.False(P("x/a", "x/c", 8080).Allowed);
        // egress named port: resolved on the peer (the destination), and never on an external address
        var egress = Evaluator(Policy("podSelector: {matchLabels: {pod: c}}\npolicyTypes: [Egress]\negress:\n- ports: [{port: web}]"));
        var src = ConnectionEnd.ForPod(snapshot.FindPod("x", "c")!);
        Assert.True(egress.Evaluate(new ConnectionProbe(src, ConnectionEnd.ForPod(snapshot.FindPod("x", "b")!), L4Protocol.Tcp, 9090)).Allowed);
        Assert.False(egress.Evaluate(new ConnectionProbe(src, ConnectionEnd.ForPod(snapshot.FindPod("x", "b")!), L4Protocol.Tcp, 8080)).Allowed);
        Assert.False(egress.Evaluate(new ConnectionProbe(src, ConnectionEnd.ForExternal("1.1.1.1"), L4Protocol.Tcp, 9090)).Allowed);
    }

    [Fact]
    public void S3_6_named_port_with_wrong_protocol_matches_nothing()
    {
        var yaml = Policy("podSelector: {}\ningress:\n- ports: [{protocol: TCP, port: serve-81-udp}]");
        Assert.False(Pods(yaml, "y/a", "x/a", L4Protocol.Tcp, 81).Allowed);
        Assert.False(Pods(yaml, "y/a", "x/a", L4Protocol.Udp, 81).Allowed);
        Assert.True(Pods(yaml.Replace("protocol: TCP", "protocol: UDP", StringComparison.Ordinal), "y/a", "x/a", L4Protocol.Udp, 81).Allowed);
    }

    [Fact]
    public void S3_6_ICMP_is_only_covered_by_rules_without_ports_and_gets_a_note()
    {
        var r = Pods(Policy("podSelector: {}\ningress:\n- ports: [{protocol: TCP}]"), "y/a", "x/a", L4Protocol.Icmp, 8);
        Assert.False(r.Allowed);
        Assert.Contains(r.Notes, n => n.Contains("ICMP", StringComparison.Ordinal));
        Assert.True(Pods(Policy("podSelector: {}\ningress: [{}]"), "y/a", "x/a", L4Protocol.Icmp, 8).Allowed);
    }

    [Fact]
    public void S3_7_ipBlock_except_and_overlap()
    {
        var yaml = Policy("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}]");
        Assert.True(FromExternal(yaml, "203.0.113.5", "x/a").Allowed);
        Assert.False(FromExternal(yaml, "203.0.113.200", "x/a").Allowed);
        var overlap = yaml + "\n---\n" + Policy("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 203.0.113.200/32}}]", "q");
        Assert.True(FromExternal(overlap, "203.0.113.200", "x/a").Allowed);
    }

    [Fact]
    public void S3_7_IPv4_never_matches_IPv6_CIDRs_including_mapped_addresses()
    {
        var v4 = Policy("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 0.0.0.0/0}}]");
        Assert.False(FromExternal(v4, "::ffff:1.2.3.4", "x/a").Allowed);
        Assert.False(FromExternal(v4, "2001:db8::1", "x/a").Allowed);
        var v6 = Policy("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: '::/0'}}]");
        Assert.False(FromExternal(v6, "1.2.3.4", "x/a").Allowed);
        Assert.True(FromExternal(v6, "2001:db8::1", "x/a").Allowed);
    }

    [Fact]
    public void S3_7_non_canonical_CIDR_is_the_masked_network_with_a_warning()
    {
        var yaml = Policy("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 192.168.242.213/24}}]");
        var parsed = PolicyParser.Parse(yaml, "p.yaml");
        Assert.Contains(parsed.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("host bits", StringComparison.Ordinal));
        Assert.True(FromExternal(yaml, "192.168.242.1", "x/a").Allowed);
        Assert.False(FromExternal(yaml, "192.168.243.1", "x/a").Allowed);
    }

    [Fact]
    public void S3_8_policy_selects_only_pods_of_its_namespace()
    {
        var yaml = Policy("podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Ingress]", "p", "y");
        Assert.True(Pods(yaml, "z/a", "x/a").Allowed);
        Assert.False(Pods(yaml, "z/a", "y/a").Allowed);
    }

    [Fact]
    public void S3_9_ipBlock_matches_pod_IPs_only_with_the_switch()
    {
        var yaml = Policy($"podSelector: {{}}\ningress:\n- from: [{{ipBlock: {{cidr: {Ip("y", "a")}/32}}}}]");
        Assert.False(Pods(yaml, "y/a", "x/a").Allowed);
        Assert.True(Pods(yaml, "y/a", "x/a", ipBlockPods: true).Allowed);
    }

    [Fact]
    public void S3_10_traffic_from_the_pods_own_node_is_always_allowed_for_ingress()
    {
        var evaluator = Evaluator(Policy("podSelector: {}\npolicyTypes: [Ingress, Egress]"));
        var dst = ConnectionEnd.ForPod(Cluster.FindPod("x", "a")!);
        var local = evaluator.Evaluate(new ConnectionProbe(ConnectionEnd.ForNode(EntityKind.Host, "192.168.0.1", "node-1"), dst, L4Protocol.Tcp, 80));
        Assert.True(local.Allowed);
        Assert.Equal(DirectionOutcome.NodeLocal, local.Ingress.Outcome);
        Assert.False(evaluator.Evaluate(new ConnectionProbe(ConnectionEnd.ForNode(EntityKind.RemoteNode, "192.168.0.2", "node-2"), dst, L4Protocol.Tcp, 80)).Allowed);
        // the snapshot resolves the host IP to the node
        Assert.Equal(EndKind.Node, Cluster.ResolveOrExternal("192.168.0.1").Kind);
        // egress to the own node is still subject to the pod's egress policy
        Assert.False(evaluator.Evaluate(new ConnectionProbe(dst, ConnectionEnd.ForNode(EntityKind.Host, "192.168.0.1", "node-1"), L4Protocol.Tcp, 10250)).Allowed);
    }

    [Fact]
    public void S3_10_a_pod_cannot_block_itself()
    {
        var r = Pods(Policy("podSelector: {}\npolicyTypes: [Ingress, Egress]"), "x/a", "x/a");
        Assert.True(r.Allowed);
        Assert.Equal(DirectionOutcome.Self, r.Ingress.Outcome);
    }

    [Fact]
    public void Indexed_evaluation_agrees_with_the_naive_scan()
    {
        var yaml = string.Join("\n---\n",
            Policy("podSelector: {matchLabels: {pod: a}}\ningress:\n- from: [{namespaceSelector: {matchLabels: {ns: y}}}]", "p1"),
            Policy("podSelector: {}\npolicyTypes: [Egress]\negress:\n- to: [{podSelector: {matchLabels: {pod: b}}}]\n  ports: [{port: 80}]", "p2", "y"),
            Policy("podSelector: {matchLabels: {pod: c}}\npolicyTypes: [Ingress]", "p3", "z"));
        var set = PolicySetOf(yaml);
        var indexed = new PolicyEvaluator(set, EvaluatorOptions.Default);
        var naive = new PolicyEvaluator(set, EvaluatorOptions.Default, indexed: false);
        foreach (var f in Reachability.All)
        {
            foreach (var t in Reachability.All)
            {
                foreach (var port in new[] { 80, 81 })
                {
                    Assert.Equal(Probe(naive, Cluster, f, t, L4Protocol.Tcp, port), Probe(indexed, Cluster, f, t, L4Protocol.Tcp, port), ResultComparer.Instance);
                }
            }
        }
    }
}

internal sealed class ResultComparer : IEqualityComparer<EvaluationResult>
{
    public static readonly ResultComparer Instance = new();

    public bool Equals(EvaluationResult? x, EvaluationResult? y) =>
        x is not null && y is not null && x.Allowed == y.Allowed && Same(x.Egress, y.Egress) && Same(x.Ingress, y.Ingress) && x.Notes.SequenceEqual(y.Notes);

    private static bool Same(DirectionVerdict a, DirectionVerdict b) =>
        a.Outcome == b.Outcome && Equals(a.AllowedBy, b.AllowedBy) && Equals(a.DeniedBy, b.DeniedBy) && a.IsolatedBy.SequenceEqual(b.IsolatedBy);

    public int GetHashCode(EvaluationResult obj) => obj.Allowed.GetHashCode();
}
