using Inference.Core.Diff;
using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Tests.Diff;

/// <summary>
/// The Online Boutique project's published per-service policies (kustomize/components/network-policies: a deny-all,
/// per-service ingress from named callers, `egress: [{}]` everywhere, frontend `ingress: [{}]`), YOUR_NAMESPACE set to
/// boutique, against a week with a Prometheus scrape and a one-off Job the policies do not know.
/// </summary>
public sealed class OnlineBoutiqueDiffTests
{
    private const string DenyAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: deny-all
          namespace: boutique
        spec:
          podSelector: {}
          policyTypes:
            - Ingress
            - Egress
        """;

    private const string Frontend = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: frontend
          namespace: boutique
        spec:
          podSelector:
            matchLabels:
              app: frontend
          policyTypes:
            - Ingress
            - Egress
          ingress:
            - {}
          egress:
            - {}
        """;

    private const string Cart = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: cartservice
          namespace: boutique
        spec:
          podSelector:
            matchLabels:
              app: cartservice
          policyTypes:
            - Ingress
            - Egress
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app: frontend
                - podSelector:
                    matchLabels:
                      app: checkoutservice
              ports:
                - port: 7070
                  protocol: TCP
          egress:
            - {}
        """;

    private const string Redis = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: redis-cart
          namespace: boutique
        spec:
          podSelector:
            matchLabels:
              app: redis-cart
          policyTypes:
            - Ingress
            - Egress
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app: cartservice
              ports:
                - port: 6379
                  protocol: TCP
          egress:
            - {}
        """;

    private const string Checkout = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: checkoutservice
          namespace: boutique
        spec:
          podSelector:
            matchLabels:
              app: checkoutservice
          policyTypes:
            - Ingress
            - Egress
          ingress:
            - from:
                - podSelector:
                    matchLabels:
                      app: frontend
              ports:
                - port: 5050
                  protocol: TCP
          egress:
            - {}
        """;

    private const string LoadGenerator = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: loadgenerator
          namespace: boutique
        spec:
          podSelector:
            matchLabels:
              app: loadgenerator
          policyTypes:
            - Egress
          egress:
            - {}
        """;

    private static (DiffFixture Fixture, Peer Prometheus, Peer Cart, Peer Migrate, Peer Redis) Week()
    {
        var f = new DiffFixture();
        var frontend = f.W("boutique", "frontend");
        var cart = f.W("boutique", "cartservice");
        var redis = f.W("boutique", "redis-cart", WorkloadKind.StatefulSet);
        var checkout = f.W("boutique", "checkoutservice");
        var load = f.W("boutique", "loadgenerator");
        var migrate = f.W("boutique", "cart-migrate", WorkloadKind.Job);
        var dns = f.W("kube-system", "coredns");
        var prometheus = f.W("monitoring", "prometheus", WorkloadKind.StatefulSet);
        var lb = Peer.ForEntity(EntityKind.World, "203.0.113.7");
        f.Edge(load, frontend, 8080, 500).Edge(lb, frontend, 8080, 900).Edge(frontend, cart, 7070, 300).Edge(checkout, cart, 7070, 40)
            .Edge(cart, redis, 6379, 800).Edge(frontend, checkout, 5050, 40).Edge(frontend, dns, 53, 700, protocol: L4Protocol.Udp)
            .Edge(cart, dns, 53, 100, protocol: L4Protocol.Udp)
            .Edge(prometheus, cart, 9090, 2016).Edge(migrate, redis, 6379, 1, hour: 26)
            .Edge(Peer.ForEntity(EntityKind.Host), cart, 7070, 4000);
        return (f, prometheus, cart, migrate, redis);
    }

    [Fact]
    public void Would_break_names_exactly_the_scrape_and_the_job()
    {
        var (f, prometheus, cart, migrate, redis) = Week();
        var report = f.Run(DiffFixture.Policies(DenyAll, Frontend, Cart, Redis, Checkout, LoadGenerator));
        Assert.Equal(
            [new EdgeKey(migrate, redis, L4Protocol.Tcp, 6379, null), new EdgeKey(prometheus, cart, L4Protocol.Tcp, 9090, null)],
            report.WouldBreak.Select(b => b.Connection.Edge).Order().ToList());
        var scrape = report.WouldBreak.Single(b => b.Connection.Edge.Source == prometheus);
        Assert.Equal(2016, scrape.Connection.Connections);
        var denial = Assert.Single(scrape.Denials);
        Assert.Equal(PolicyDirection.Ingress, denial.Direction);
        Assert.Equal(["boutique/cartservice", "boutique/deny-all"], denial.IsolatedBy.Select(p => p.DisplayName).ToList());
        // the node's kubelet probe is never a would-break: node-local ingress is always allowed and probes are not evidence
        Assert.DoesNotContain(report.WouldBreak, b => b.Connection.Edge.Source.Entity == EntityKind.Host);
    }

    [Fact]
    public void Over_broad_flags_the_allow_all_rules()
    {
        var (f, _, _, _, _) = Week();
        var report = f.Run(DiffFixture.Policies(DenyAll, Frontend, Cart, Redis, Checkout, LoadGenerator));
        var flagged = report.OverBroad.Select(o => o.Rule.ToString()).ToHashSet();
        foreach (var rule in new[] { "boutique/frontend ingress[0]", "boutique/frontend egress[0]", "boutique/cartservice egress[0]", "boutique/loadgenerator egress[0]" })
        {
            Assert.Contains(rule, flagged);
        }

        var ingress = report.OverBroad.Single(o => o.Rule.ToString() == "boutique/frontend ingress[0]");
        Assert.Contains(ingress.Allows, a => a.StartsWith("all sources", StringComparison.Ordinal));
        Assert.Contains(ingress.Allows, a => a.StartsWith("all ports", StringComparison.Ordinal));
        // used through it: the load generator and the load balancer's address, on 8080
        Assert.Equal(2, ingress.UsedPeers);
        Assert.All(ingress.Used, u => Assert.Equal(8080, u.Port));
        // frontend serves one port (8080); every peer of the window may reach it: 9 peers but the probing node, 2 used
        Assert.Equal(9, ingress.AdmittedCombinations);
        Assert.Equal(2, ingress.UsedCombinations);
        // a rule naming its callers and port exactly, all of them used, is not over-broad
        Assert.DoesNotContain("boutique/redis-cart ingress[0]", flagged);
    }

    [Fact]
    public void Unused_and_cluster_disagreement_on_the_boutique()
    {
        var (f, prometheus, cart, _, _) = Week();
        var policies = DiffFixture.Policies(DenyAll, Frontend, Cart, Redis, Checkout, LoadGenerator);
        // the redis-cart allow-all egress: redis never opened a connection
        var report = f.Run(policies, [new ClusterPolicyVerdictBuilder(prometheus, cart, 9090).Staged("allow", "0|default|sknp:boutique/cartservice|allow|1")]);
        Assert.Contains(report.Unused.Rules, r => r.Rule.ToString() == "boutique/redis-cart egress[0]");
        Assert.Empty(report.Unused.Policies);
        var d = Assert.Single(report.ClusterDisagrees);
        Assert.Equal(prometheus, d.Connection.Edge.Source);
        Assert.Equal("deny", d.FilesSay);
    }
}

/// <summary>A Calico decision row for an edge, in the shape the store reader returns.</summary>
internal sealed class ClusterPolicyVerdictBuilder(Peer source, Peer destination, int port, PolicyDirection direction = PolicyDirection.Ingress)
{
    public ClusterPolicyVerdict Staged(string pending, string? pendingBy, string enforced = "allow") =>
        new(source.Key, destination.Key, L4Protocol.Tcp, port, direction, enforced, null, pending, pendingBy, 5, "calico:test");
}
