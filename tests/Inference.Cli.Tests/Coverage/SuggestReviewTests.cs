using System.Text.Json;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Coverage;

/// <summary>`inference suggest` carries the window's coverage and marks rules resting only on anomalous edges for review.</summary>
public sealed class SuggestReviewTests(AuditWeekStore week) : IClassFixture<AuditWeekStore>
{
    private static IEnumerable<JsonElement> Rules(JsonElement report) =>
        report.GetProperty("policies").EnumerateArray().SelectMany(p => p.GetProperty("rules").EnumerateArray());

    private static IEnumerable<string> EvidenceSources(JsonElement rule) =>
        rule.GetProperty("evidence").GetProperty("edges").EnumerateArray()
            .Select(e => e.GetProperty("source").TryGetProperty("workload", out var w) ? w.GetString()! : e.GetProperty("source").GetProperty("entity").GetString()!);

    [Fact]
    public async Task Rules_behind_the_scan_are_marked_review_before_allowing_and_the_nightly_job_is_not()
    {
        var (code, output, error) = await week.RunAsync("suggest", "-o", "json");
        Assert.True(code == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var rules = Rules(report).ToList();

        var flagged = rules.Where(r => r.GetProperty("reviewBeforeAllowing").GetBoolean()).ToList();
        Assert.NotEmpty(flagged);
        // still listed, never dropped: and only the injected traffic is behind them
        Assert.All(flagged, r => Assert.All(EvidenceSources(r), s => Assert.Contains(s, new[] { AuditWeek.ScanSourceWorkload, "orders" })));
        Assert.Contains(flagged, r => EvidenceSources(r).Contains(AuditWeek.ScanSourceWorkload));

        var nightly = rules.Where(r => EvidenceSources(r).Contains(AuditWeek.NightlyJob)).ToList();
        Assert.NotEmpty(nightly);
        Assert.All(nightly, r => Assert.False(r.GetProperty("reviewBeforeAllowing").GetBoolean()));

        // the weekly job seen in one run is under-covered: its rule says so
        var weekly = rules.Where(r => EvidenceSources(r).Contains(AuditWeek.WeeklyJob)).ToList();
        Assert.NotEmpty(weekly);
        Assert.All(weekly, r => Assert.True(r.GetProperty("lowCoverage").GetBoolean()));
        // every rule built from observed edges says their coverage (synthesized DNS rules have no edges behind them)
        Assert.All(rules.Where(r => r.GetProperty("evidence").GetProperty("edges").GetArrayLength() > 0),
            r => Assert.NotEmpty(r.GetProperty("coverage").EnumerateArray()));

        var coverage = report.GetProperty("coverage");
        Assert.False(string.IsNullOrEmpty(coverage.GetProperty("headline").GetString()));
        Assert.True(coverage.GetProperty("low").GetBoolean(), "a window with lost events and an unavailable node is low coverage");
    }

    [Fact]
    public async Task The_summary_says_coverage_plainly_and_lists_the_rules_to_review()
    {
        var (code, output, error) = await week.RunAsync("suggest", "-o", "summary");
        Assert.True(code == 0, error);
        Assert.Contains("coverage ", output, StringComparison.Ordinal);
        Assert.Contains("LOW", output, StringComparison.Ordinal);
        Assert.Contains("review before allowing", output, StringComparison.Ordinal);
    }
}
