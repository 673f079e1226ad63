using System.Text.Json;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Coverage;

/// <summary>`inference anomalies` on the audit week: the injected scan and exfiltration lead, the periodic jobs do not.</summary>
public sealed class AnomaliesCommandTests(AuditWeekStore week) : IClassFixture<AuditWeekStore>
{
    private static string Peer(JsonElement peer) => peer.TryGetProperty("workload", out var w) ? w.GetString()! : peer.GetProperty("entity").GetString()!;

    private static bool IsInjected(JsonElement row) =>
        (Peer(row.GetProperty("source")) == AuditWeek.ScanSourceWorkload && AuditWeek.ScanPorts.Contains(row.GetProperty("port").GetInt32()))
        || (Peer(row.GetProperty("source")) == "orders" && row.GetProperty("destination").TryGetProperty("ip", out var ip) && ip.GetString() == AuditWeek.ExfilIp);

    private async Task<List<JsonElement>> AllRowsAsync()
    {
        var (code, output, error) = await week.RunAsync("anomalies", "--top", "0", "-o", "json");
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
    }

    [Fact]
    public async Task The_injected_scan_and_exfiltration_edges_rank_at_the_top()
    {
        var rows = await AllRowsAsync();
        var injected = week.Week.Scan.Count + 1;
        Assert.Equal(injected, rows.Count(IsInjected));
        var top = rows.Take(injected).ToList();
        Assert.All(top, r => Assert.True(IsInjected(r), $"not injected in the top {injected}: {r}"));
        Assert.All(top, r => Assert.True(r.GetProperty("flagged").GetBoolean(), $"injected edge not flagged: {r}"));

        var exfil = Assert.Single(rows, r => r.GetProperty("destination").TryGetProperty("ip", out var ip) && ip.GetString() == AuditWeek.ExfilIp);
        Assert.Contains(AuditWeek.ExfilDomain, exfil.GetProperty("destination").GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        var exfilReasons = exfil.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("feature").GetString()).ToList();
        Assert.Contains("burstiness", exfilReasons);

        var scanReasons = top.Where(r => Peer(r.GetProperty("source")) == AuditWeek.ScanSourceWorkload)
            .Select(r => r.GetProperty("reasons")[0].GetProperty("feature").GetString()).Distinct().ToList();
        Assert.All(scanReasons, f => Assert.StartsWith("fanOut", f));
    }

    [Fact]
    public async Task The_nightly_and_weekly_jobs_are_not_flagged_and_rank_below_the_injected_edges()
    {
        var rows = await AllRowsAsync();
        var injected = week.Week.Scan.Count + 1;
        foreach (var job in new[] { AuditWeek.NightlyJob, AuditWeek.WeeklyJob })
        {
            var index = rows.FindIndex(r => Peer(r.GetProperty("source")) == job);
            Assert.True(index >= injected, $"{job} ranked {index + 1}");
            Assert.False(rows[index].GetProperty("flagged").GetBoolean(), $"{job} flagged: {rows[index]}");
        }

        var nightly = rows.Single(r => Peer(r.GetProperty("source")) == AuditWeek.NightlyJob);
        Assert.True(nightly.GetProperty("score").GetDouble() < 0.5, nightly.ToString());
    }

    [Fact]
    public async Task Rows_carry_the_edge_fields_of_inference_edges_plus_score_and_reasons()
    {
        var (_, edgesJson, _) = await week.RunAsync("edges", "-o", "json");
        var edgeFields = JsonDocument.Parse(edgesJson).RootElement[0].EnumerateObject().Select(p => p.Name).ToList();
        var rows = await AllRowsAsync();
        Assert.Equal(JsonDocument.Parse(edgesJson).RootElement.GetArrayLength(), rows.Count);
        foreach (var row in rows)
        {
            foreach (var field in edgeFields)
            {
                Assert.True(row.TryGetProperty(field, out _), $"missing {field}");
            }

            var score = row.GetProperty("score").GetDouble();
            Assert.InRange(score, 0, 1);
            foreach (var reason in row.GetProperty("reasons").EnumerateArray())
            {
                Assert.False(string.IsNullOrEmpty(reason.GetProperty("feature").GetString()));
                Assert.Equal(JsonValueKind.Number, reason.GetProperty("value").ValueKind);
                Assert.InRange(reason.GetProperty("contribution").GetDouble(), 0, 1);
            }
        }

        var scores = rows.Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    [Fact]
    public async Task Scores_are_deterministic_and_top_limits_the_rows()
    {
        var first = await week.RunAsync("anomalies", "-o", "json", "--top", "25");
        var second = await week.RunAsync("anomalies", "-o", "json", "--top", "25");
        Assert.Equal(first.Out, second.Out);
        Assert.Equal(25, JsonDocument.Parse(first.Out).RootElement.GetArrayLength());

        var table = await week.RunAsync("anomalies", "--top", "5");
        Assert.Equal(0, table.Code);
        Assert.Contains("fanOut", table.Out, StringComparison.Ordinal);
        Assert.Contains("flagged for review", table.Out, StringComparison.Ordinal);
    }
}
