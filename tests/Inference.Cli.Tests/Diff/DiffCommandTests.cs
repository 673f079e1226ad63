using System.Text.Json;
using DuckDB.NET.Data;
using Inference.Cli.Tests.Suggest;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Diff;

/// <summary>
/// `inference diff` end to end: two days of the Hubble week in a temp store, the scenario's deployed policies as files,
/// and Calico pending decisions that agree and disagree with them.
/// </summary>
public sealed class DiffCommandTests : IAsyncLifetime
{
    private ScenarioStore _store = null!;
    private string _policies = null!;

    public async Task InitializeAsync()
    {
        _store = await ScenarioStore.ImportAsync(DeployedPolicyWeek.Connections());
        _policies = Path.Combine(_store.Directory, "policies");
        Directory.CreateDirectory(_policies);
        await File.WriteAllTextAsync(Path.Combine(_policies, "shop.yaml"), DeployedPolicyWeek.Shop);
        await File.WriteAllTextAsync(Path.Combine(_policies, "data.yaml"), DeployedPolicyWeek.Data);
        AddCalicoDecisions(_store.Db);
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Would_break_names_exactly_the_nightly_job_and_the_metrics_scrape()
    {
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.GetProperty("wouldBreak").EnumerateArray().ToList();
        var found = items.Select(i => (Peer(i.GetProperty("source")), Peer(i.GetProperty("destination")), $"{i.GetProperty("protocol").GetString()}/{i.GetProperty("port").GetInt32()}"))
            .Order().ToList();
        Assert.Equal(DeployedPolicyWeek.WouldBreak.Order().ToList(), found);

        var job = items.Single(i => Peer(i.GetProperty("source")).StartsWith("batch/report", StringComparison.Ordinal));
        Assert.Equal(2, job.GetProperty("connections").GetInt64());
        Assert.True(job.TryGetProperty("lastSeen", out _));
        var denial = Assert.Single(job.GetProperty("deniedBy").EnumerateArray());
        Assert.Equal("ingress", denial.GetProperty("direction").GetString());
        Assert.Equal(["NetworkPolicy/data/postgres"], denial.GetProperty("isolatedBy").EnumerateArray().Select(e => e.GetString()!).ToList());

        var scrape = items.Single(i => Peer(i.GetProperty("source")).StartsWith("monitoring/", StringComparison.Ordinal));
        Assert.Equal(["NetworkPolicy/shop/default-deny", "NetworkPolicy/shop/frontend"],
            scrape.GetProperty("deniedBy")[0].GetProperty("isolatedBy").EnumerateArray().Select(e => e.GetString()!).ToList());
    }

    [Fact]
    public async Task Over_broad_flags_all_egress_and_any_namespace_with_what_was_used()
    {
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.GetProperty("overBroad").EnumerateArray().ToList();
        var egress = items.Single(i => i.GetProperty("rule").GetString() == "shop/frontend egress[0]");
        Assert.Contains(egress.GetProperty("allows").EnumerateArray(), a => a.GetString()!.StartsWith("all egress", StringComparison.Ordinal));
        Assert.Contains(egress.GetProperty("allows").EnumerateArray(), a => a.GetString()!.StartsWith("all ports", StringComparison.Ordinal));
        var used = egress.GetProperty("used").EnumerateArray().Select(u => Peer(u.GetProperty("destination"))).ToHashSet();
        Assert.Equal(["kube-system/coredns (Deployment)", "shop/cart (Deployment)", "shop/checkout (Deployment)"], used.Order().ToList());
        Assert.True(egress.GetProperty("unusedCombinations").GetInt64() > 0);
        Assert.Contains("narrow", egress.GetProperty("narrow").GetString(), StringComparison.Ordinal);

        var redis = items.Single(i => i.GetProperty("rule").GetString() == "shop/redis ingress[0]");
        Assert.Contains(redis.GetProperty("allows").EnumerateArray(), a => a.GetString()!.StartsWith("any namespace", StringComparison.Ordinal));
        Assert.Equal(1, redis.GetProperty("usedPeers").GetInt32());

        // exact rules whose every admitted combination was used are not over-broad
        Assert.DoesNotContain(items, i => i.GetProperty("rule").GetString() == "shop/cart ingress[0]");
    }

    [Fact]
    public async Task Unused_lists_the_dead_rules_and_the_policy_that_selects_nothing()
    {
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var rules = doc.RootElement.GetProperty("unused").GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!, r => r);
        Assert.Equal("noMatchingConnection", rules["shop/cart ingress[1]"].GetProperty("reason").GetString());
        Assert.Equal("noMatchingConnection", rules["shop/cart egress[1]"].GetProperty("reason").GetString());
        Assert.Equal("selectsNothingObserved", rules["legacy/retired ingress[0]"].GetProperty("reason").GetString());
        Assert.EndsWith("shop.yaml", rules["shop/cart ingress[1]"].GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("shop/cart ingress[0]", rules.Keys);
        var policies = doc.RootElement.GetProperty("unused").GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("policy").GetString()).ToList();
        Assert.Equal(["legacy/retired"], policies);
    }

    [Fact]
    public async Task Cluster_disagrees_where_audit_or_calico_differ_from_the_files_and_not_where_they_agree()
    {
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.GetProperty("clusterDisagrees").EnumerateArray()
            .ToDictionary(i => $"{Peer(i.GetProperty("source"))} -> {Peer(i.GetProperty("destination"))}", i => i);
        // Hubble AUDIT (the cluster's audit-mode policy would deny) while the checkout file allows frontend
        Assert.Contains("AUDIT", items["shop/frontend (Deployment) -> shop/checkout (Deployment)"].GetProperty("clusterSays").GetString(), StringComparison.Ordinal);
        // Calico pending deny the files do not have
        Assert.Contains("staged deny", items["shop/cart (Deployment) -> shop/redis (StatefulSet)"].GetProperty("clusterSays").GetString(), StringComparison.Ordinal);
        // Calico staged allow where the files deny
        Assert.Contains("staged allow", items["monitoring/prometheus (StatefulSet) -> shop/frontend (Deployment)"].GetProperty("clusterSays").GetString(), StringComparison.Ordinal);
        // agreements: Calico pending deny on the nightly job, Hubble policy drop of stranger -> payment (files deny both)
        Assert.DoesNotContain("batch/report (CronJob) -> data/postgres (StatefulSet)", items.Keys);
        Assert.DoesNotContain("shop/stranger (Deployment) -> payments/payment (Deployment)", items.Keys);
        Assert.Equal(3, items.Count);
    }

    [Fact]
    public async Task Suggested_and_summary_are_present_and_the_output_is_deterministic()
    {
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.True(code == 0, err);
        var (_, again, _) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "json");
        Assert.Equal(json, again);
        using var doc = JsonDocument.Parse(json);
        var suggested = doc.RootElement.GetProperty("suggested");
        var edges = suggested.GetProperty("observedEdges").EnumerateArray().ToList();
        // the suggestion allows what the files break, and nothing the files allow is missing from it
        Assert.Contains(edges, e => Peer(e.GetProperty("source")).StartsWith("batch/report", StringComparison.Ordinal) && e.GetProperty("suggestedAllows").GetBoolean());
        Assert.True(suggested.GetProperty("workloadPairs").GetProperty("deployedOnly").GetInt64() > 0);
        var cart = suggested.GetProperty("yamlDiffs").EnumerateArray().Single(y => y.GetProperty("workload").GetProperty("workload").GetString() == "cart");
        Assert.Contains("NetworkPolicy/shop/cart", cart.GetProperty("deployed").EnumerateArray().Select(d => d.GetString()));
        var lines = cart.GetProperty("diff").GetString()!.Split('\n');
        Assert.Contains(lines, l => l.StartsWith('-') && l.Contains("app: legacy-cart", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith('+') && l.Contains("kind: NetworkPolicy", StringComparison.Ordinal) is false && l.Contains("app.kubernetes.io/name: frontend", StringComparison.Ordinal));
        // the deployed document is cut out of its file: the other policies of shop.yaml are not in cart's diff
        Assert.DoesNotContain(lines, l => l.Contains("name: checkout", StringComparison.Ordinal));

        var summary = doc.RootElement.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("counts").GetProperty("wouldBreak").GetInt32());
        Assert.Equal(0, summary.GetProperty("gaps").GetProperty("lostEvents").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, summary.GetProperty("window").GetProperty("firstSeen").ValueKind);
        Assert.Contains(summary.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("legacy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Table_and_html_print_the_same_findings_would_break_first()
    {
        var (code, table, err) = await _store.RunAsync("diff", "--deployed", _policies);
        Assert.True(code == 0, err);
        Assert.StartsWith("WOULD BREAK: 2 observed edges", table, StringComparison.Ordinal);
        Assert.Contains("batch/report (CronJob)", table, StringComparison.Ordinal);
        Assert.Contains("OVER-BROAD", table, StringComparison.Ordinal);

        var file = Path.Combine(_store.Directory, "report.html");
        (code, _, err) = await _store.RunAsync("diff", "--deployed", _policies, "-o", "html", "--out", file);
        Assert.True(code == 0, err);
        var html = await File.ReadAllTextAsync(file);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.True(html.IndexOf("Would break", StringComparison.Ordinal) < html.IndexOf("Over-broad rules", StringComparison.Ordinal));
        // tables per namespace: the nightly job under data, the scrape under shop
        Assert.Contains("<h3>data</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<h3>shop</h3>", html, StringComparison.Ordinal);
        Assert.Contains("<td>batch/report (CronJob)</td><td>data/postgres (StatefulSet)</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_policy_is_reported_with_file_and_line_and_the_others_still_load()
    {
        var broken = Path.Combine(_store.Directory, "broken.yaml");
        await File.WriteAllTextAsync(broken, DeployedPolicyWeek.Broken);
        var (code, json, err) = await _store.RunAsync("diff", "--deployed", _policies, "--deployed", broken, "-o", "json");
        Assert.Equal(1, code);
        Assert.Contains("broken.yaml:", err, StringComparison.Ordinal);
        Assert.Contains("shop/broken", err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(9, doc.RootElement.GetProperty("summary").GetProperty("counts").GetProperty("deployedPolicies").GetInt32());
    }

    [Fact]
    public async Task Missing_deployed_path_is_a_one_line_error()
    {
        var (code, _, err) = await _store.RunAsync("diff", "--deployed", Path.Combine(_store.Directory, "nope"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: --deployed ", err, StringComparison.Ordinal);
    }

    private static string Peer(JsonElement p) => p.TryGetProperty("workload", out var w)
        ? $"{p.GetProperty("namespace").GetString()}/{w.GetString()} ({p.GetProperty("kind").GetString()})"
        : p.GetProperty("entity").GetString()!;

    /// <summary>The rows the Calico ingest writes for three edges: a pending deny that agrees, one that disagrees, and a staged allow the files deny.</summary>
    private static void AddCalicoDecisions(string db)
    {
        using var store = InferenceStore.Open(db);
        var edges = store.Reads.Edges();
        Inference.Core.Flows.EdgeKey Edge(string source, string destination) =>
            edges.Single(e => e.Edge.Source.Workload == source && e.Edge.Destination.Workload == destination).Edge;
        void Row(Inference.Core.Flows.EdgeKey e, string direction, string enforced, string? enforcedBy, string pending, string? pendingBy)
        {
            using var cmd = store.Connection.CreateCommand();
            cmd.CommandText = "INSERT INTO calico_edge_policies VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
            object?[] values = ["calico", $"{e.Source.Key}\u001f{e.Destination.Key}", e.Source.Key, e.Destination.Key, "TCP", e.Port, direction,
                enforced, enforcedBy ?? "", enforcedBy, pending, pendingBy ?? "", pendingBy, pending == "deny" ? "AUDIT" : "FORWARDED", 4L, 2L,
                HubbleWeek.Start.UtcDateTime, HubbleWeek.Start.AddDays(2).UtcDateTime];
            foreach (var v in values)
            {
                cmd.Parameters.Add(new DuckDBParameter { Value = v ?? DBNull.Value });
            }

            cmd.ExecuteNonQuery();
        }

        Row(Edge("report", "postgres"), "ingress", "allow", "0|__PROFILE__|pro:kns.data|allow|0", "deny", "0|default|sknp:data/postgres|deny|-");
        Row(Edge("cart", "redis"), "ingress", "allow", "0|__PROFILE__|pro:kns.shop|allow|0", "deny", "0|default|sknp:shop/redis-strict|deny|-");
        Row(Edge("prometheus", "frontend"), "ingress", "allow", "0|__PROFILE__|pro:kns.shop|allow|0", "allow", "0|default|sknp:shop/frontend|allow|1");
    }
}
