using Inference.Core.Activity;
using Inference.Core.Aggregation;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Store.Writing;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Coverage;

/// <summary>The audit week imported once through the real Hubble file pipeline, plus the blind spots a relay would record.</summary>
public sealed class AuditWeekStore : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inference-coverage-").FullName;

    public AuditWeek Week { get; } = AuditWeek.Build();
    public string Path => System.IO.Path.Combine(_dir, "week.duckdb");
    public string Folder => _dir;

    public const string SilentNode = "kind-worker3";

    /// <summary>The node that went quiet for six hours on day 2 (its node_hours are missing there).</summary>
    public static readonly DateTimeOffset SilentFrom = HubbleWeek.Start.AddDays(2).AddHours(6);
    public static readonly DateTimeOffset LostAt = HubbleWeek.Start.AddDays(1).AddHours(12);

    public async Task InitializeAsync()
    {
        var file = System.IO.Path.Combine(_dir, "week.json");
        await File.WriteAllLinesAsync(file, HubbleWeek.Render(Week.All).Select(l => l.Json));
        using var store = InferenceStore.Open(Path);
        var malformed = new List<MalformedLine>();
        await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "week", SourceKind = "hubble-file" },
            malformed.Add, TimeProvider.System, CancellationToken.None);
        Assert.Empty(malformed);

        // what a relay follower records from a third node: lost events, an unavailable spell, and its flow hours (silent 6 h);
        // the file import above already recorded kind-worker and kind-worker2 for every hour they sent flows
        await using var writer = new StoreWriter(store);
        var batch = new IngestBatch { Source = "relay", SourceKind = "hubble-relay" };
        batch.LostEvents.Add(new LostEventRecord(SilentNode, "PERF_EVENT_RING_BUFFER", 1234, Ns(LostAt), Ns(LostAt.AddMinutes(2)), Ns(LostAt.AddMinutes(3))));
        batch.NodeStatuses.Add(new NodeStatusRecord(SilentNode, "NODE_UNAVAILABLE", "connection refused", Ns(SilentFrom)));
        var hours = new Dictionary<(string, DateTimeOffset), long>();
        for (var h = HubbleWeek.Start; h < HubbleWeek.Start.AddDays(7); h = h.AddHours(1))
        {
            if (h < SilentFrom || h >= SilentFrom.AddHours(6))
            {
                hours[(SilentNode, h)] = 80;
            }
        }

        batch.Extensions.Add(new NodeFlowHours(hours));
        await writer.WriteAndWaitAsync(batch, CancellationToken.None);
        await writer.CompleteAsync();
        store.Checkpoint();
    }

    public Task DisposeAsync()
    {
        // INFERENCE_KEEP_AUDIT_WEEK=path keeps a copy of the store to explore by hand
        if (Environment.GetEnvironmentVariable("INFERENCE_KEEP_AUDIT_WEEK") is { Length: > 0 } keep)
        {
            File.Copy(Path, keep, overwrite: true);
        }

        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--db", Path], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static long Ns(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks * 100;
}
