using System.Text.Json;
using Inference.Cli.Tests.Suggest;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Serve;

/// <summary>`serve` with deployed policies: per workload, the observed connections they would deny, from the diff core.</summary>
public sealed class ServeDeployedTests
{
    internal const string DenyCartIngress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: cart-from-checkout-only
          namespace: shop
        spec:
          podSelector:
            matchLabels:
              app.kubernetes.io/name: cart
          policyTypes: [Ingress]
          ingress:
          - from:
            - podSelector:
                matchLabels:
                  app.kubernetes.io/name: checkout
        """;

    [Fact]
    public async Task The_review_shows_per_workload_what_the_deployed_policies_would_deny()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var deployed = Path.Combine(store.Directory, "deployed");
        Directory.CreateDirectory(deployed);
        File.WriteAllText(Path.Combine(deployed, "cart.yaml"), DenyCartIngress);
        var config = Path.Combine(store.Directory, "inference.yaml");
        File.WriteAllText(config, $"deployed: [{deployed}]\n");

        await using var serve = await RunningServe.StartAsync(store.Db, "--config", config);
        using var http = new HttpClient { BaseAddress = serve.Url };
        using var review = JsonDocument.Parse(await http.GetStringAsync("/api/review"));
        var root = review.RootElement;
        var summary = root.GetProperty("deployed");
        Assert.Equal(1, summary.GetProperty("policies").GetInt32());
        Assert.Equal(1, summary.GetProperty("wouldBreakEdges").GetInt32());
        Assert.Equal(8, summary.GetProperty("wouldBreakConnections").GetInt64());
        Assert.Empty(summary.GetProperty("errors").EnumerateArray());
        Assert.Contains($"The 1 deployed policies in {deployed} would deny 8 observed connections on 1 edges", root.GetProperty("wouldBreak").GetString(), StringComparison.Ordinal);

        var policies = root.GetProperty("namespaces").EnumerateArray().SelectMany(n => n.GetProperty("policies").EnumerateArray())
            .ToDictionary(p => p.GetProperty("namespace").GetString() + "/" + p.GetProperty("name").GetString());
        var cart = Assert.Single(policies["shop/cart"].GetProperty("deployedWouldBreak").EnumerateArray());
        Assert.Equal("shop/frontend (Deployment) -> shop/cart (Deployment) TCP/7070", cart.GetProperty("edge").GetString());
        Assert.Equal(8, cart.GetProperty("connections").GetInt64());
        var denial = Assert.Single(cart.GetProperty("denials").EnumerateArray());
        Assert.Equal("ingress", denial.GetProperty("direction").GetString());
        Assert.Equal(["NetworkPolicy/shop/cart-from-checkout-only"], denial.GetProperty("isolatedBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("isolated by shop/cart-from-checkout-only, no rule allows it", cart.GetProperty("deniedBy").GetString(), StringComparison.Ordinal);

        // the sender's egress is not isolated: nothing is filed under frontend, and the other workloads are clean
        Assert.Equal(0, policies["shop/frontend"].GetProperty("deployedWouldBreak").GetArrayLength());
        Assert.Equal(0, policies["shop/checkout"].GetProperty("deployedWouldBreak").GetArrayLength());

        // the files are read again per request: fixing the deployed policy shows without a restart
        File.WriteAllText(Path.Combine(deployed, "cart.yaml"), DenyCartIngress.Replace("name: checkout", "name: frontend", StringComparison.Ordinal));
        using var fixedReview = JsonDocument.Parse(await http.GetStringAsync("/api/review"));
        Assert.Equal(0, fixedReview.RootElement.GetProperty("deployed").GetProperty("wouldBreakEdges").GetInt32());
        Assert.Contains("allow every observed connection", fixedReview.RootElement.GetProperty("wouldBreak").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_deployed_policies_the_review_says_how_to_compare_them_and_a_missing_path_is_one_clear_error()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        await using (var serve = await RunningServe.StartAsync(store.Db))
        {
            using var http = new HttpClient { BaseAddress = serve.Url };
            using var review = JsonDocument.Parse(await http.GetStringAsync("/api/review"));
            Assert.Equal(JsonValueKind.Null, review.RootElement.GetProperty("deployed").ValueKind);
            Assert.Contains("set deployed: [DIR] in the config (or --deployed DIR)", review.RootElement.GetProperty("wouldBreak").GetString(), StringComparison.Ordinal);
        }

        var missing = Path.Combine(store.Directory, "no-such-dir");
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["serve", "--db", store.Db, "--listen", "127.0.0.1:0", "--deployed", missing], new StringWriter(), error);
        Assert.Equal(2, code);
        Assert.Contains($"deployed: {missing}: no such file or directory", error.ToString(), StringComparison.Ordinal);
    }
}
