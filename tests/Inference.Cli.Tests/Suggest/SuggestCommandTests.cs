using System.Text.Json;
using Inference.Core.Policies;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Suggest;

/// <summary>`inference suggest` on a week of Hubble flows, judged against the week's ground truth.</summary>
public sealed class SuggestCommandTests
{
    [Theory]
    [InlineData("kubernetes")]
    [InlineData("cilium")]
    public async Task The_suggestion_allows_what_happened_for_pods_seen_and_unborn_and_nothing_else(string format)
    {
        var truth = HubbleWeek.Connections();
        using var store = await ScenarioStore.ImportAsync(truth);
        var dir = Path.Combine(store.Directory, "out-" + format);
        var (code, output, error) = await store.RunAsync("suggest", "--format", format, "--out", dir);
        Assert.True(code == 0, error);
        Assert.Contains("connections covered: 679/679", output, StringComparison.Ordinal);

        var mismatches = GroundTruth.Mismatches(GroundTruth.Load(dir), truth);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(40)));
    }

    [Fact]
    public async Task Out_writes_one_file_per_workload_plus_default_deny_and_dns_per_namespace_and_reruns_give_the_same_bytes()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 2));
        var first = Path.Combine(store.Directory, "a");
        var second = Path.Combine(store.Directory, "b");
        Assert.Equal(0, (await store.RunAsync("suggest", "--out", first)).Code);
        Assert.Equal(0, (await store.RunAsync("suggest", "--out", second)).Code);

        var files = Directory.GetFiles(first, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(Path.Combine("shop", "frontend.yaml"), files);
        Assert.Contains(Path.Combine("shop", "_default-deny.yaml"), files);
        Assert.Contains(Path.Combine("shop", "_dns.yaml"), files);
        Assert.Contains(Path.Combine("batch", "report.yaml"), files);
        Assert.DoesNotContain(Path.Combine("shop", "stranger.yaml"), files);
        foreach (var f in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, f)), File.ReadAllBytes(Path.Combine(second, f)));
        }
    }

    [Fact]
    public async Task Peers_in_other_namespaces_use_namespace_and_pod_selector_in_one_peer_and_dns_goes_to_the_resolver_on_udp_and_tcp()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var dir = Path.Combine(store.Directory, "out");
        Assert.Equal(0, (await store.RunAsync("suggest", "--out", dir)).Code);
        var policies = GroundTruth.Load(dir).Policies.OfType<KubernetesNetworkPolicy>().ToList();

        var payment = Assert.Single(policies, p => p.Ref.Name == "payment");
        var from = Assert.Single(Assert.Single(payment.Ingress!).Peers!);
        Assert.Equal("app.kubernetes.io/name=checkout", from.PodSelector!.ToString());
        Assert.Equal("kubernetes.io/metadata.name=shop", from.NamespaceSelector!.ToString());

        var dns = Assert.Single(policies, p => p.Ref.Namespace == "payments" && p.Ref.Name == "allow-dns");
        Assert.True(dns.PodSelector.IsEmpty);
        var rule = Assert.Single(dns.Egress!);
        Assert.Equal(["TCP/53", "UDP/53"], rule.Ports!.Select(p => p.ToString()));
        Assert.Equal("k8s-app=kube-dns", Assert.Single(rule.Peers!).PodSelector!.ToString());

        // the frontend selector is the stable name, never the per-release version label
        Assert.Equal("app.kubernetes.io/name=frontend", Assert.Single(policies, p => p.Ref.Name == "frontend").PodSelector.ToString());
        // the world peer is one address, not a range
        var stripe = Assert.Single(Assert.Single(policies, p => p.Ref.Name == "payment").Egress!, r => r.Peers!.Any(x => x.IpBlock is not null));
        Assert.Equal("52.1.2.3/32", Assert.Single(stripe.Peers!).IpBlock!.CidrText);
    }

    [Fact]
    public async Task Json_carries_per_rule_evidence_and_the_summary_lists_dropped_connections_and_idle_workloads()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var (code, output, error) = await store.RunAsync("suggest", "-o", "json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("verification").GetProperty("passed").GetBoolean());
        var rule = root.GetProperty("policies").EnumerateArray().First(p => p.GetProperty("name").GetString() == "cart")
            .GetProperty("rules").EnumerateArray().First(r => r.GetProperty("direction").GetString() == "ingress");
        var evidence = rule.GetProperty("evidence");
        Assert.Equal(8, evidence.GetProperty("connections").GetInt64());
        Assert.Equal(8, evidence.GetProperty("verdicts").GetProperty("FORWARDED").GetInt64());
        Assert.Equal("frontend", evidence.GetProperty("edges")[0].GetProperty("source").GetProperty("workload").GetString());
        Assert.True(root.GetProperty("exposure").GetProperty("after").GetInt64() < root.GetProperty("exposure").GetProperty("before").GetInt64());
        Assert.Contains(root.GetProperty("dropped").EnumerateArray(), d => d.GetProperty("source").GetProperty("workload").GetString() == "stranger");

        var (_, summary, _) = await store.RunAsync("suggest", "-o", "summary");
        Assert.Contains("dropped connections (never turned into allow rules)", summary, StringComparison.Ordinal);
        Assert.Contains("shop/stranger (Deployment) -> payments/payment (Deployment) TCP/50051", summary, StringComparison.Ordinal);
        Assert.Contains("no traffic observed (the namespace default-deny will isolate it, review):\n  shop/stranger", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calico_staged_writes_staged_kubernetes_policies_and_l7_needs_cilium()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var (code, output, _) = await store.RunAsync("suggest", "--format", "calico-staged");
        Assert.Equal(0, code);
        Assert.Contains("apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy", output, StringComparison.Ordinal);
        Assert.Contains("  stagedAction: Set\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("networking.k8s.io/v1", output, StringComparison.Ordinal);

        var (l7Code, _, l7Error) = await store.RunAsync("suggest", "--l7");
        Assert.Equal(2, l7Code);
        Assert.Contains("--l7 needs --format cilium", l7Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_option_writes_only_that_namespace()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var (code, output, _) = await store.RunAsync("suggest", "-n", "payments");
        Assert.Equal(0, code);
        var parsed = PolicyParser.Parse(output, "stdout");
        Assert.All(parsed.Policies, p => Assert.Equal("payments", p.Ref.Namespace));
        Assert.Contains(parsed.Policies, p => p.Ref.Name == "orders");
    }
}
