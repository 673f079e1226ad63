using Inference.Core.Flows;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Ingest.Hubble.Tests.Scenario;

/// <summary>
/// A week of a ~15-workload cluster with replies, SYN-ACKs, trace points on two nodes, host probes, rollouts, a nightly
/// CronJob and DNS, imported from a file: exactly one edge per real connection, counted once.
/// </summary>
public sealed class WeekImportTests
{
    private static string Expected(ScenarioEndpoint e) => e.Workload is not null
        ? $"{e.Namespace}/{e.Workload} ({e.Kind})"
        : e.Labels.Contains("reserved:host") ? "host" : $"world:{e.Ip}";

    private static async Task<IReadOnlyList<Store.Reading.EdgeRecord>> ImportAsync(TempDir dir, IEnumerable<string> lines)
    {
        var file = dir.File("week.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(dir.File("store.duckdb"));
        var malformed = new List<MalformedLine>();
        var summary = await HubbleIngestRunner.ImportFileAsync(store, file,
            new IngestOptions { Source = "week", SourceKind = "hubble-file" }, malformed.Add, TimeProvider.System, CancellationToken.None);
        Assert.Empty(malformed);
        Assert.True(summary.FlowsRead > 0);
        return store.Reads.Edges();
    }

    [Fact]
    public async Task A_week_of_flows_gives_one_edge_per_real_connection_with_exact_counts()
    {
        var truth = HubbleWeek.Connections();
        using var dir = new TempDir();
        var edges = await ImportAsync(dir, HubbleWeek.Render(truth).Select(l => l.Json));

        var expected = truth
            .GroupBy(c => $"{Expected(c.Source)} -> {Expected(c.Destination)} {c.Protocol}/{c.Port}")
            .ToDictionary(g => g.Key, g => g.GroupBy(c => c.Verdict).ToDictionary(v => v.Key, v => (long)v.Count()));
        var actual = edges.ToDictionary(e => e.Edge.ToString(), e => e.Verdicts);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, verdicts) in expected)
        {
            Assert.Equal(verdicts.OrderBy(v => v.Key), actual[key].OrderBy(v => v.Key));
        }
    }

    [Fact]
    public async Task Rollouts_and_cronjob_runs_fold_into_their_workloads_and_external_calls_carry_their_dns_name()
    {
        var truth = HubbleWeek.Connections();
        using var dir = new TempDir();
        var edges = await ImportAsync(dir, HubbleWeek.Render(truth).Select(l => l.Json));

        var frontend = edges.Where(e => e.Edge.Destination.Workload == "frontend").ToList();
        Assert.All(frontend, e => Assert.Equal(WorkloadKind.Deployment, e.Edge.Destination.WorkloadKind));
        var report = Assert.Single(edges, e => e.Edge.Source.Workload == "report");
        Assert.Equal(WorkloadKind.CronJob, report.Edge.Source.WorkloadKind);
        Assert.Equal(7, report.Connections);
        var stripe = Assert.Single(edges, e => e.Edge.Destination.Entity == EntityKind.World);
        Assert.Equal(["api.stripe.com"], stripe.Edge.Destination.Names);
        var probe = Assert.Single(edges, e => e.Edge.Source.Entity == EntityKind.Host);
        Assert.Equal(8080, probe.Edge.Port);
        // no reply ever became an edge in the reverse direction: every edge's port is a service port
        var servicePorts = truth.Select(c => (int?)c.Port).ToHashSet();
        Assert.All(edges, e => Assert.Contains(e.Edge.Port, servicePorts));
    }

    [Fact]
    public async Task The_same_flows_in_another_order_give_the_same_edges()
    {
        var truth = HubbleWeek.Connections(days: 2);
        var lines = HubbleWeek.Render(truth).Select(l => l.Json).ToList();
        var shuffled = lines.ToList();
        // relay ordering across nodes is best-effort: swap neighbours
        for (var i = 0; i + 1 < shuffled.Count; i += 2)
        {
            (shuffled[i], shuffled[i + 1]) = (shuffled[i + 1], shuffled[i]);
        }

        using var a = new TempDir();
        using var b = new TempDir();
        var first = await ImportAsync(a, lines);
        var second = await ImportAsync(b, shuffled);
        Assert.Equal(first.Select(e => (e.Edge.ToString(), e.Connections)), second.Select(e => (e.Edge.ToString(), e.Connections)));
    }

    [Fact]
    public async Task Importing_the_same_file_twice_does_not_double_count_within_one_run_of_duplicated_lines()
    {
        var truth = HubbleWeek.Connections(days: 1);
        var lines = HubbleWeek.Render(truth).Select(l => l.Json).ToList();
        using var once = new TempDir();
        using var twice = new TempDir();
        var single = await ImportAsync(once, lines);
        // every event delivered twice (a relay resending after a reconnect): dropped by uuid
        var doubled = await ImportAsync(twice, lines.SelectMany(l => new[] { l, l }));
        Assert.Equal(single.Select(e => (e.Edge.ToString(), e.Connections)), doubled.Select(e => (e.Edge.ToString(), e.Connections)));
    }
}
