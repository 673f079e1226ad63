using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Inference.L7;
using Inference.Core.Inference.Yaml;
using Inference.Core.Policies;

namespace Inference.Core.Tests.Inference;

public sealed class SuggesterTests
{
    private static Suggestion Suggest(Observations o, SuggestFormat format = SuggestFormat.Kubernetes, bool l7 = false, bool ranges = false) =>
        Suggester.Suggest(o, new SuggestOptions { Format = format, L7 = l7, PortRanges = ranges }, CancellationToken.None);

    private static (Cluster C, Peer Web, Peer Api, Peer Db, Peer Dns) Shop()
    {
        var c = new Cluster();
        var web = c.Workload("shop", "web", WorkloadKind.Deployment, "app.kubernetes.io/name=web", "app.kubernetes.io/version=3", "pod-template-hash=7d4f8b9c6");
        var api = c.Workload("shop", "api", WorkloadKind.Deployment, "app.kubernetes.io/name=api", "pod-template-hash=5c6d7f8g9");
        var db = c.Workload("data", "db", WorkloadKind.StatefulSet, "app=db", "statefulset.kubernetes.io/pod-name=db-0");
        var dns = c.Workload("kube-system", "coredns", WorkloadKind.Deployment, "k8s-app=kube-dns", "pod-template-hash=5d78c9869d");
        return (c, web, api, db, dns);
    }

    [Fact]
    public void Selectors_prefer_the_name_label_and_never_use_volatile_or_release_labels()
    {
        var (c, web, api, db, _) = Shop();
        c.Edge(web, api, L4Protocol.Tcp, 8080);
        c.Edge(api, db, L4Protocol.Tcp, 5432);
        var s = Suggest(c.Build());
        Assert.True(s.Verification.Passed);
        Assert.Equal("app.kubernetes.io/name=web", s.Policies.Single(p => p.Workload == web).Selector.ToString());
        Assert.Equal("app=db", s.Policies.Single(p => p.Workload == db).Selector.ToString());
    }

    [Fact]
    public void Name_plus_instance_separates_two_releases_of_one_chart_and_identical_labels_fall_back_visibly()
    {
        var c = new Cluster();
        var a = c.Workload("x", "redis-a", WorkloadKind.StatefulSet, "app.kubernetes.io/name=redis", "app.kubernetes.io/instance=a");
        var b = c.Workload("x", "redis-b", WorkloadKind.StatefulSet, "app.kubernetes.io/name=redis", "app.kubernetes.io/instance=b");
        var twin1 = c.Workload("x", "twin-1", WorkloadKind.Deployment, "app=twin");
        var twin2 = c.Workload("x", "twin-2", WorkloadKind.Deployment, "app=twin");
        c.Edge(a, b, L4Protocol.Tcp, 6379);
        c.Edge(twin1, a, L4Protocol.Tcp, 6379);
        c.Edge(twin2, b, L4Protocol.Tcp, 6379);
        var s = Suggest(c.Build());
        Assert.True(s.Verification.Passed, string.Join("\n", s.Verification.Failures));
        Assert.Equal("app.kubernetes.io/instance=a,app.kubernetes.io/name=redis", s.Policies.Single(p => p.Workload == a).Selector.ToString());
        Assert.Contains(s.Notes, n => n.Contains("no label set separates it from twin-2", StringComparison.Ordinal));
    }

    [Fact]
    public void Cross_namespace_peers_are_namespace_and_pod_selector_in_one_peer_and_same_namespace_peers_are_bare_pod_selectors()
    {
        var (c, web, api, db, _) = Shop();
        c.Edge(web, api, L4Protocol.Tcp, 8080);
        c.Edge(api, db, L4Protocol.Tcp, 5432);
        var s = Suggest(c.Build());
        var apiPolicy = (KubernetesNetworkPolicy)s.Policies.Single(p => p.Workload == api).Model;
        var from = apiPolicy.Ingress!.Single().Peers!.Single();
        Assert.Null(from.NamespaceSelector);
        Assert.Equal("app.kubernetes.io/name=web", from.PodSelector!.ToString());
        var to = apiPolicy.Egress!.Single().Peers!.Single();
        Assert.Equal("kubernetes.io/metadata.name=data", to.NamespaceSelector!.ToString());
        Assert.Equal("app=db", to.PodSelector!.ToString());
        Assert.Equal(PolicyTypes.Ingress | PolicyTypes.Egress, apiPolicy.DeclaredTypes);
    }

    [Fact]
    public void Dns_goes_to_the_resolver_on_udp_and_tcp_for_every_pod_of_the_namespace_and_the_resolver_answers_every_pod()
    {
        var (c, web, api, _, dns) = Shop();
        c.Edge(web, dns, L4Protocol.Udp, 53);
        c.Edge(web, api, L4Protocol.Tcp, 8080);
        var s = Suggest(c.Build());
        var rule = s.Policies.Single(p => p.Namespace == "shop" && p.Kind == SuggestedPolicyKind.Dns).Egress.Single();
        Assert.Equal(["TCP/53", "UDP/53"], rule.Ports.Select(p => p.ToString()));
        Assert.Equal("kube-system/[k8s-app=kube-dns]", rule.Peers.Single().ToString());
        Assert.DoesNotContain(s.Policies.Single(p => p.Workload == web).Egress, r => r.Ports.Any(p => p.Port == 53));
        Assert.Equal("all pods", s.Policies.Single(p => p.Workload == dns).Ingress.Single().Peers.Single().ToString());
    }

    [Fact]
    public void NodeLocal_dns_is_allowed_by_its_link_local_address()
    {
        var (c, web, _, _, _) = Shop();
        c.Edge(web, Cluster.World("169.254.20.10"), L4Protocol.Udp, 53);
        var s = Suggest(c.Build());
        Assert.True(s.Verification.Passed);
        var rule = s.Policies.Single(p => p.Namespace == "shop" && p.Kind == SuggestedPolicyKind.Dns).Egress.Single();
        Assert.Equal("169.254.20.10/32", rule.Peers.Single().ToString());
        Assert.Equal(["TCP/53", "UDP/53"], rule.Ports.Select(p => p.ToString()));
    }

    [Fact]
    public void Icmp_and_name_only_peers_are_said_plainly_in_kubernetes_and_never_widened()
    {
        var (c, web, api, _, _) = Shop();
        c.Edge(web, api, L4Protocol.Icmp, null, icmpType: 8);
        c.Edge(web, Cluster.World(null, "api.example.com"), L4Protocol.Tcp, 443);
        c.Edge(web, Peer.ForEntity(EntityKind.KubeApiserver), L4Protocol.Tcp, 443);
        var s = Suggest(c.Build());
        Assert.Equal(3, s.Uncovered.Count);
        Assert.Contains(s.Uncovered, u => u.Reason.Contains("ICMP", StringComparison.Ordinal) && u.Reason.Contains("CNI-defined", StringComparison.Ordinal));
        Assert.Contains(s.Uncovered, u => u.Reason.Contains("known only by name", StringComparison.Ordinal) && u.Reason.Contains("--format cilium", StringComparison.Ordinal));
        var yaml = PolicyYaml.RenderAll(s.Policies, SuggestFormat.Kubernetes);
        Assert.DoesNotContain("0.0.0.0/0", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("egress:\n  - {}", yaml, StringComparison.Ordinal);

        var cilium = Suggest(c.Build(), SuggestFormat.Cilium);
        Assert.Empty(cilium.Uncovered);
        var ciliumYaml = PolicyYaml.RenderAll(cilium.Policies, SuggestFormat.Cilium);
        Assert.Contains("- matchName: api.example.com", ciliumYaml, StringComparison.Ordinal);
        Assert.Contains("toEntities:\n    - kube-apiserver", ciliumYaml, StringComparison.Ordinal);
        Assert.Contains("icmps:\n    - fields:\n      - type: 8\n        family: IPv4", ciliumYaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Cilium_fqdn_rules_come_with_the_dns_proxy_rule_on_the_resolver()
    {
        var (c, web, _, _, dns) = Shop();
        c.Edge(web, dns, L4Protocol.Udp, 53);
        c.Edge(web, Cluster.World("52.1.2.3", "api.stripe.com"), L4Protocol.Tcp, 443);
        var s = Suggest(c.Build(), SuggestFormat.Cilium);
        Assert.True(s.Verification.Passed, string.Join("\n", s.Verification.Failures));
        var yaml = PolicyYaml.Render(s.Policies.Single(p => p.Namespace == "shop" && p.Kind == SuggestedPolicyKind.Dns), SuggestFormat.Cilium);
        Assert.Contains("rules:\n        dns:\n        - matchPattern: \"*\"", yaml, StringComparison.Ordinal);
        Assert.Contains("k8s:io.kubernetes.pod.namespace: kube-system", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void L7_rules_template_numeric_uuid_and_hex_segments_and_verify_each_request()
    {
        var (c, web, api, _, _) = Shop();
        var e = c.Edge(web, api, L4Protocol.Tcp, 8080);
        c.Http(e, "GET", "/orders/123");
        c.Http(e, "GET", "/orders/456?expand=1");
        c.Http(e, "POST", "/carts/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items");
        var s = Suggest(c.Build(), SuggestFormat.Cilium, l7: true);
        Assert.True(s.Verification.Passed, string.Join("\n", s.Verification.Failures));
        var http = s.Policies.Single(p => p.Workload == api).Ingress.Single().Ports.Single().Http!;
        var q = PathPatterns.Query;
        Assert.Equal([("POST", $"/carts/{PathPatterns.Uuid}/items{q}"), ("GET", "/orders/[0-9]+" + q)], http.Select(h => (h.Method!, h.Path!)));
        Assert.Equal("/v1/blobs/[0-9a-fA-F]+" + q, PathPatterns.Template("/v1/blobs/9f86d081884c7d65"));
        Assert.Equal("/static/app\\.js" + q, PathPatterns.Template("/static/app.js"));
    }

    [Fact]
    public void Peers_with_the_same_ports_share_a_rule_and_port_ranges_merge_only_consecutive_ports()
    {
        var (c, web, api, _, _) = Shop();
        var other = c.Workload("shop", "worker", WorkloadKind.Deployment, "app.kubernetes.io/name=worker");
        foreach (var port in new[] { 8080, 8081, 8082, 9000 })
        {
            c.Edge(web, api, L4Protocol.Tcp, port);
            c.Edge(other, api, L4Protocol.Tcp, port);
        }

        var plain = Suggest(c.Build());
        var rule = plain.Policies.Single(p => p.Workload == api).Ingress.Single();
        Assert.Equal(2, rule.Peers.Count);
        Assert.Equal(["TCP/8080", "TCP/8081", "TCP/8082", "TCP/9000"], rule.Ports.Select(p => p.ToString()));

        var ranged = Suggest(c.Build(), ranges: true);
        Assert.True(ranged.Verification.Passed);
        Assert.Equal(["TCP/8080-8082", "TCP/9000"], ranged.Policies.Single(p => p.Workload == api).Ingress.Single().Ports.Select(p => p.ToString()));
        Assert.Contains("endPort: 8082", PolicyYaml.RenderAll(ranged.Policies, SuggestFormat.Kubernetes), StringComparison.Ordinal);
    }

    [Fact]
    public void Dropped_connections_are_never_rules_and_idle_workloads_are_listed()
    {
        var (c, web, api, db, _) = Shop();
        c.Edge(web, api, L4Protocol.Tcp, 8080);
        c.Edge(web, db, L4Protocol.Tcp, 5432, forwarded: 0, dropped: 4);
        var s = Suggest(c.Build());
        Assert.Single(s.Dropped);
        Assert.Contains(db, s.NoTraffic);
        Assert.DoesNotContain(s.Policies, p => p.Workload == db);
        Assert.DoesNotContain(s.Policies.Single(p => p.Workload == web).Egress, r => r.Ports.Any(p => p.Port == 5432));
    }

    [Fact]
    public void Exposure_before_counts_every_source_for_every_served_port_and_after_only_what_rules_allow()
    {
        var (c, web, api, db, _) = Shop();
        c.Edge(web, api, L4Protocol.Tcp, 8080);
        c.Edge(api, db, L4Protocol.Tcp, 5432);
        var s = Suggest(c.Build());
        Assert.Equal(4 * 2, s.Exposure.Before);
        Assert.Equal(2, s.Exposure.After);
    }
}
