using System.Text.Json;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Coverage;

/// <summary>A hidden-week-like check on plain, uniform traffic: a small scan from a busy workload still leads; the nightly job is not flagged.</summary>
public sealed class SmallScanTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inference-smallscan-").FullName;
    private string Db => Path.Combine(_dir, "week.duckdb");

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_dir, "week.json");
        await File.WriteAllLinesAsync(file, HubbleWeek.Render(SmallScanWeek.Build().All).Select(l => l.Json));
        using var store = InferenceStore.Open(Db);
        await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "week", SourceKind = "hubble-file" }, _ => { }, TimeProvider.System, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_scan_leads_and_the_nightly_job_is_not_flagged()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["anomalies", "--top", "0", "-o", "json", "--db", Db], output, error));
        var rows = JsonDocument.Parse(output.ToString()).RootElement.EnumerateArray().ToList();
        bool IsScan(JsonElement r) => r.GetProperty("source").GetProperty("workload").GetString() == "orders" && SmallScanWeek.Ports.Contains(r.GetProperty("port").GetInt32());
        var scan = SmallScanWeek.Build().Scan.Count;
        Assert.All(rows.Take(scan), r => Assert.True(IsScan(r), r.ToString()));
        Assert.All(rows.Take(scan), r => Assert.True(r.GetProperty("flagged").GetBoolean(), r.ToString()));
        var nightly = rows.Single(r => r.GetProperty("source").TryGetProperty("workload", out var w) && w.GetString() == "report");
        Assert.False(nightly.GetProperty("flagged").GetBoolean(), nightly.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await CliApp.RunAsync(["coverage", "-o", "json", "--db", Db], output, error));
        var report = JsonDocument.Parse(output.ToString()).RootElement;
        var periodic = report.GetProperty("cluster").GetProperty("periodic").EnumerateArray()
            .Single(p => p.GetProperty("source").TryGetProperty("workload", out var w) && w.GetString() == "report");
        Assert.True(periodic.GetProperty("covered").GetBoolean());
    }
}
