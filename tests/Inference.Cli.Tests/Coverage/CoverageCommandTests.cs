using System.Text.Json;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Coverage;

/// <summary>`inference coverage` on the audit week: status, the under-covered weekly job, the covered nightly job, blind spots.</summary>
public sealed class CoverageCommandTests(AuditWeekStore week) : IClassFixture<AuditWeekStore>
{
    private async Task<JsonElement> ReportAsync(params string[] extra)
    {
        var (code, output, error) = await week.RunAsync(["coverage", "-o", "json", .. extra]);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output).RootElement;
    }

    private static JsonElement Periodic(JsonElement report, string sourceWorkload) =>
        report.GetProperty("cluster").GetProperty("periodic").EnumerateArray()
            .Single(p => p.GetProperty("source").TryGetProperty("workload", out var w) && w.GetString() == sourceWorkload);

    [Fact]
    public async Task The_weekly_job_seen_once_is_under_covered_and_the_nightly_job_is_covered()
    {
        var report = await ReportAsync();
        var weekly = Periodic(report, AuditWeek.WeeklyJob);
        Assert.False(weekly.GetProperty("covered").GetBoolean());
        Assert.Equal(1, weekly.GetProperty("runs").GetInt32());

        var nightly = Periodic(report, AuditWeek.NightlyJob);
        Assert.True(nightly.GetProperty("covered").GetBoolean());
        Assert.Equal("daily", nightly.GetProperty("period").GetString());
        Assert.Equal(7, nightly.GetProperty("runs").GetInt32());

        var underCovered = report.GetProperty("workloads").EnumerateArray().Select(w => w.GetProperty("name").GetString()).ToList();
        Assert.Contains($"batch/{AuditWeek.WeeklyJob}", underCovered);
        Assert.DoesNotContain($"batch/{AuditWeek.NightlyJob}", underCovered);
        Assert.True(report.GetProperty("cluster").GetProperty("underCovered").GetBoolean());
        Assert.True(report.GetProperty("lowCoverage").GetBoolean());
    }

    [Fact]
    public async Task The_window_status_and_discovery_curve_follow_when_edges_appeared()
    {
        var report = await ReportAsync();
        var cluster = report.GetProperty("cluster");
        Assert.Equal(7 * 24, report.GetProperty("windowHours").GetDouble(), 0.5);

        // the exfiltration's new edge appeared 43 h before the end: with --stable-after 48h the cluster is not Stable
        Assert.NotEqual("Stable", cluster.GetProperty("status").GetString());
        var discovery = cluster.GetProperty("discovery").EnumerateArray().ToList();
        Assert.Equal(cluster.GetProperty("edges").GetInt32(), discovery[^1].GetProperty("totalEdges").GetInt32());
        // the scan's 300 edges arrive on day 5
        Assert.True(discovery[4].GetProperty("newEdges").GetInt32() >= week.Week.Scan.Count);

        // payments got one new edge (the exfiltration) 46.5 h before the end: Stabilizing; monitoring's last (the scan) 58 h: Stable
        string Status(string ns) => report.GetProperty("namespaces").EnumerateArray().Single(n => n.GetProperty("name").GetString() == ns).GetProperty("status").GetString()!;
        Assert.Equal("Stabilizing", Status("payments"));
        Assert.Equal("Stable", Status("monitoring"));

        // a short stable-after: quiet since the exfiltration -> Stabilizing only because of the weekly job
        var shortReport = await ReportAsync("--stable-after", "24h");
        Assert.Equal("Stabilizing", shortReport.GetProperty("cluster").GetProperty("status").GetString());
        Assert.Contains("periodic", shortReport.GetProperty("cluster").GetProperty("statusReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blind_spots_name_lost_events_the_unavailable_node_and_its_silent_hours()
    {
        var report = await ReportAsync();
        var spots = report.GetProperty("blindSpots").EnumerateArray().ToList();
        var lost = Assert.Single(spots, s => s.GetProperty("kind").GetString() == "lost-events");
        Assert.Equal(AuditWeekStore.SilentNode, lost.GetProperty("subject").GetString());
        Assert.Contains("1,234", lost.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(spots, s => s.GetProperty("kind").GetString() == "node-unavailable");
        var silent = Assert.Single(spots, s => s.GetProperty("kind").GetString() == "node-silent");
        Assert.Equal(AuditWeekStore.SilentNode, silent.GetProperty("subject").GetString());
        Assert.Equal(AuditWeekStore.SilentFrom, silent.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(AuditWeekStore.SilentFrom.AddHours(6), silent.GetProperty("to").GetDateTimeOffset());
        Assert.Empty(report.GetProperty("notes").EnumerateArray());
    }

    [Fact]
    public async Task Table_output_says_status_and_gaps_and_plot_writes_a_png()
    {
        var png = Path.Combine(week.Folder, "curve.png");
        var (code, output, error) = await week.RunAsync("coverage", "--plot", png);
        Assert.True(code == 0, error);
        Assert.Contains("Window: 2026-11-16", output, StringComparison.Ordinal);
        Assert.Contains("Periodic edges:", output, StringComparison.Ordinal);
        Assert.Contains($"batch/{AuditWeek.WeeklyJob}", output, StringComparison.Ordinal);
        Assert.Contains("node-silent", output, StringComparison.Ordinal);
        Assert.Contains("LOW COVERAGE", output, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 1000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes.Take(4));
    }
}
