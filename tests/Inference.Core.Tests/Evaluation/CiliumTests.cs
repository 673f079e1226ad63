using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;
using static Inference.Core.Tests.Evaluation.E2eModel;

namespace Inference.Core.Tests.Evaluation;

public sealed class CiliumTests
{
    private static readonly ClusterSnapshot Cluster = Snapshot();

    private static PolicyEvaluator Evaluator(string yaml) => new(PolicySetOf(yaml));

    private static ConnectionEnd Pod(string name) => ConnectionEnd.ForPod(Cluster.FindPod(name.Split('/')[0], name.Split('/')[1])!);

    private static EvaluationResult Eval(string yaml, ConnectionEnd from, ConnectionEnd to, int port = 80, L4Protocol protocol = L4Protocol.Tcp, L7Request? l7 = null) =>
        Evaluator(yaml).Evaluate(new ConnectionProbe(from, to, protocol, port, l7));

    private static string Cnp(string spec, string name = "cnp", string ns = "x") =>
        $"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n" + string.Join("\n", spec.Split('\n').Select(l => "  " + l));

    [Fact]
    public void Entities_world_cluster_and_host()
    {
        var yaml = Cnp("endpointSelector: {matchLabels: {pod: a}}\ningress:\n- fromEntities: [cluster]");
        Assert.True(Eval(yaml, Pod("z/b"), Pod("x/a")).Allowed);
        Assert.False(Eval(yaml, ConnectionEnd.ForExternal("8.8.8.8"), Pod("x/a")).Allowed);
        var world = Cnp("endpointSelector: {}\negress:\n- toEntities: [world]");
        Assert.True(Eval(world, Pod("x/a"), ConnectionEnd.ForExternal("8.8.8.8")).Allowed);
        Assert.False(Eval(world, Pod("x/a"), Pod("y/a")).Allowed);
        var host = Cnp("endpointSelector: {}\negress:\n- toEntities: [host]");
        Assert.True(Eval(host, Pod("x/a"), ConnectionEnd.ForNode(EntityKind.Host, "192.168.0.1", "node-1")).Allowed);
        Assert.False(Eval(host, Pod("x/a"), ConnectionEnd.ForNode(EntityKind.RemoteNode, "192.168.0.2", "node-2")).Allowed);
        var apiserver = Cnp("endpointSelector: {}\negress:\n- toEntities: [kube-apiserver]");
        Assert.True(Eval(apiserver, Pod("x/a"), ConnectionEnd.ForEntity(EntityKind.KubeApiserver, "10.96.0.1"), 443).Allowed);
    }

    [Fact]
    public void Endpoint_selectors_use_identity_labels_and_the_policy_namespace()
    {
        // k8s: prefix and a selector without namespace: the policy's own namespace only
        var same = Cnp("endpointSelector: {matchLabels: {'k8s:pod': a}}\ningress:\n- fromEndpoints: [{matchLabels: {'k8s:pod': b}}]");
        Assert.True(Eval(same, Pod("x/b"), Pod("x/a")).Allowed);
        Assert.False(Eval(same, Pod("y/b"), Pod("x/a")).Allowed);
        // io.kubernetes.pod.namespace names another namespace
        var other = Cnp("endpointSelector: {matchLabels: {pod: a}}\ningress:\n- fromEndpoints: [{matchLabels: {'k8s:io.kubernetes.pod.namespace': y, pod: b}}]");
        Assert.True(Eval(other, Pod("y/b"), Pod("x/a")).Allowed);
        Assert.False(Eval(other, Pod("x/b"), Pod("x/a")).Allowed);
        // namespace labels are visible as io.cilium.k8s.namespace.labels.*
        var nsLabel = Cnp("endpointSelector: {}\ningress:\n- fromEndpoints: [{matchExpressions: [{key: io.cilium.k8s.namespace.labels.ns, operator: In, values: [z]}, {key: io.kubernetes.pod.namespace, operator: Exists}]}]");
        Assert.True(Eval(nsLabel, Pod("z/c"), Pod("x/a")).Allowed);
        Assert.False(Eval(nsLabel, Pod("y/c"), Pod("x/a")).Allowed);
    }

    [Fact]
    public void Clusterwide_policies_select_in_every_namespace()
    {
        const string yaml = """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: ccnp}
            spec:
              endpointSelector: {matchLabels: {pod: c}}
              ingress:
              - fromEndpoints: [{matchLabels: {pod: a}}]
            """;
        Assert.True(Eval(yaml, Pod("x/a"), Pod("z/c")).Allowed);
        var denied = Eval(yaml, Pod("x/b"), Pod("y/c"));
        Assert.False(denied.Allowed);
        Assert.Equal(new PolicyRef(PolicyKind.CiliumClusterwideNetworkPolicy, null, "ccnp"), Assert.Single(denied.Ingress.IsolatedBy));
    }

    [Fact]
    public void Empty_rule_isolates_and_port_only_rule_applies_to_every_peer()
    {
        Assert.False(Eval(Cnp("endpointSelector: {}\ningress:\n- {}"), Pod("x/b"), Pod("x/a")).Allowed);
        var portOnly = Cnp("endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: '80', protocol: TCP}]}]");
        Assert.True(Eval(portOnly, ConnectionEnd.ForExternal("1.2.3.4"), Pod("x/a")).Allowed);
        Assert.False(Eval(portOnly, Pod("y/a"), Pod("x/a"), 81).Allowed);
    }

    [Fact]
    public void ToPorts_protocol_ANY_and_ranges()
    {
        var yaml = Cnp("endpointSelector: {}\ningress:\n- fromEntities: [all]\n  toPorts: [{ports: [{port: '8000', endPort: 8100, protocol: ANY}]}]");
        Assert.True(Eval(yaml, Pod("y/a"), Pod("x/a"), 8050, L4Protocol.Udp).Allowed);
        Assert.True(Eval(yaml, Pod("y/a"), Pod("x/a"), 8100, L4Protocol.Tcp).Allowed);
        Assert.False(Eval(yaml, Pod("y/a"), Pod("x/a"), 8101, L4Protocol.Tcp).Allowed);
    }

    [Fact]
    public void Fqdn_rules_match_the_observed_DNS_names()
    {
        var yaml = Cnp("endpointSelector: {matchLabels: {pod: a}}\negress:\n- toFQDNs: [{matchName: api.example.com}, {matchPattern: '*.cilium.io'}]\n  toPorts: [{ports: [{port: '443'}]}]");
        ConnectionEnd Ext(params string[] names) => ConnectionEnd.ForExternal("93.184.216.34", names);
        var r = Eval(yaml, Pod("x/a"), Ext("api.example.com"), 443);
        Assert.True(r.Allowed);
        Assert.Equal(0, r.Egress.AllowedBy!.RuleIndex);
        Assert.True(Eval(yaml, Pod("x/a"), Ext("docs.cilium.io."), 443).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), Ext("a.b.cilium.io"), 443).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), Ext("other.example.com"), 443).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), Ext(), 443).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), Ext("api.example.com"), 80).Allowed);
    }

    [Fact]
    public void Deny_rules_take_precedence_over_every_allow_including_Kubernetes_policies()
    {
        var yaml = Cnp("endpointSelector: {}\ningress:\n- fromEntities: [all]\ningressDeny:\n- fromEndpoints: [{matchLabels: {'k8s:io.kubernetes.pod.namespace': y}}]\n  toPorts: [{ports: [{port: '80', protocol: TCP}]}]")
            + "\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all, namespace: x}\nspec:\n  podSelector: {}\n  ingress: [{}]";
        var r = Eval(yaml, Pod("y/a"), Pod("x/a"));
        Assert.False(r.Allowed);
        Assert.Equal(DirectionOutcome.DeniedByRule, r.Ingress.Outcome);
        Assert.Equal(new RuleRef(new PolicyRef(PolicyKind.CiliumNetworkPolicy, "x", "cnp"), PolicyDirection.Ingress, 0, 0, IsDeny: true), r.Ingress.DeniedBy);
        Assert.True(Eval(yaml, Pod("y/a"), Pod("x/a"), 81).Allowed);
        Assert.True(Eval(yaml, Pod("z/a"), Pod("x/a")).Allowed);
        // a deny rule alone also puts the endpoint in default deny
        Assert.False(Eval(Cnp("endpointSelector: {}\negressDeny:\n- toEntities: [world]"), Pod("x/a"), Pod("y/a")).Allowed);
    }

    [Fact]
    public void EnableDefaultDeny_false_does_not_isolate()
    {
        var yaml = Cnp("endpointSelector: {}\nenableDefaultDeny: {ingress: false}\ningress:\n- fromEntities: [world]");
        Assert.True(Eval(yaml, Pod("y/a"), Pod("x/a")).Allowed);
    }

    [Fact]
    public void L7_http_rules_allow_at_L4_and_filter_known_requests()
    {
        var yaml = Cnp("endpointSelector: {matchLabels: {pod: a}}\ningress:\n- fromEndpoints: [{}]\n  toPorts:\n  - ports: [{port: '80', protocol: TCP}]\n    rules:\n      http:\n      - {method: GET, path: '/public/.*'}");
        var noRequest = Eval(yaml, Pod("x/b"), Pod("x/a"));
        Assert.True(noRequest.Allowed);
        Assert.Contains(noRequest.Notes, n => n.Contains("L7", StringComparison.Ordinal));
        Assert.True(Eval(yaml, Pod("x/b"), Pod("x/a"), l7: new L7Request("GET", "/public/index.html")).Allowed);
        Assert.False(Eval(yaml, Pod("x/b"), Pod("x/a"), l7: new L7Request("POST", "/public/index.html")).Allowed);
        Assert.False(Eval(yaml, Pod("x/b"), Pod("x/a"), 81).Allowed);
    }

    [Fact]
    public void L7_dns_rules_filter_queries()
    {
        var yaml = Cnp("endpointSelector: {}\negress:\n- toEntities: [all]\n  toPorts:\n  - ports: [{port: '53', protocol: ANY}]\n    rules:\n      dns: [{matchPattern: '*.svc.cluster.local'}]");
        Assert.True(Eval(yaml, Pod("x/a"), Pod("y/a"), 53, L4Protocol.Udp, new L7Request(DnsQuery: "db.svc.cluster.local.")).Allowed);
        // a single * stays within one DNS label
        Assert.False(Eval(yaml, Pod("x/a"), Pod("y/a"), 53, L4Protocol.Udp, new L7Request(DnsQuery: "db.y.svc.cluster.local")).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), Pod("y/a"), 53, L4Protocol.Udp, new L7Request(DnsQuery: "example.com")).Allowed);
    }

    [Fact]
    public void Cidr_rules_see_only_the_world()
    {
        var yaml = Cnp("endpointSelector: {}\negress:\n- toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.0.3.0/24]}]\n- toCIDR: [192.0.2.1/32]");
        Assert.True(Eval(yaml, Pod("x/a"), ConnectionEnd.ForExternal("10.200.0.1")).Allowed);
        Assert.False(Eval(yaml, Pod("x/a"), ConnectionEnd.ForExternal("10.0.3.9")).Allowed);
        Assert.True(Eval(yaml, Pod("x/a"), ConnectionEnd.ForExternal("192.0.2.1")).Allowed);
        // a pod inside the CIDR is classified by identity, not address
        Assert.False(Eval(yaml, Pod("x/a"), Pod("y/a")).Allowed);
    }
}
