using Inference.Core.Aggregation;
using Inference.Core.Connections;
using Inference.Core.Flows;
using Inference.Store.Writing;

namespace Inference.Store.Tests;

public sealed class StoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "inference-store-tests", Guid.NewGuid().ToString("N"));
    private static readonly Peer Frontend = Peer.ForWorkload("shop", "frontend", WorkloadKind.Deployment);
    private static readonly Peer Cart = Peer.ForWorkload("shop", "cart", WorkloadKind.Deployment);
    private static readonly EdgeKey Edge = new(Frontend, Cart, L4Protocol.Tcp, 7070, null);
    private const long Hour = 3_600_000_000_000L;

    public StoreTests() => Directory.CreateDirectory(_dir);

    private string DbPath => Path.Combine(_dir, "s.duckdb");

    private static IngestBatch Batch(int connections, long startNs, string pod = "frontend-7d4f8b9c6-x2x4z")
    {
        var aggregator = new EdgeAggregator(TimeSpan.FromHours(1));
        for (var i = 0; i < connections; i++)
        {
            aggregator.Count(Edge, startNs + i, startNs + i + 10, i % 2 == 0 ? Verdict.Forwarded : Verdict.Audit, null, 1, pod, "cart-1");
        }

        var batch = new IngestBatch { Source = "test", SourceKind = "hubble-file", FlowsRead = connections * 5 };
        aggregator.DrainInto(batch);
        return batch;
    }

    [Fact]
    public void A_new_store_gets_the_latest_schema_and_reopening_keeps_it()
    {
        using (var store = InferenceStore.Open(DbPath))
        {
            Assert.Equal(Schema.Migrator.Latest, store.SchemaVersion);
            Assert.True(store.SchemaVersion >= 1);
        }

        using var again = InferenceStore.Open(DbPath);
        Assert.Equal(Schema.Migrator.Latest, again.SchemaVersion);
        using var cmd = again.Connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM schema_version";
        Assert.Equal((long)Schema.Migrator.Latest, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Import_records_of_a_schema_7_store_read_as_complete_after_the_upgrade()
    {
        // a store as version 7 left it, with one finished import
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"Data Source={DbPath}"))
        {
            connection.Open();
            Schema.Migrator.Migrate(connection, TimeProvider.System, upTo: 7);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO imported_files VALUES ('hubble-file:/a.json', 100, 2, 'h', 'p', now())";
            insert.ExecuteNonQuery();
        }

        using var store = InferenceStore.Open(DbPath);

        Assert.Equal(Schema.Migrator.Latest, store.SchemaVersion);
        var record = Assert.Single(store.Reads.ImportedFiles());
        Assert.Equal(("hubble-file:/a.json", 2L, true, (long?)null), (record.Source, record.Lines, record.Complete, record.ResumeFromNs));
    }

    [Fact]
    public async Task Batches_for_the_same_edge_and_bucket_add_up_and_widen_first_and_last_seen()
    {
        using var store = InferenceStore.Open(DbPath);
        await using (var writer = new StoreWriter(store))
        {
            await writer.WriteAsync(Batch(4, 10 * Hour), CancellationToken.None);
            await writer.WriteAsync(Batch(6, 10 * Hour + 100, "frontend-7d4f8b9c6-abcde"), CancellationToken.None);
            await writer.WriteAsync(Batch(1, 12 * Hour), CancellationToken.None);
            await writer.CompleteAsync();
        }

        var edge = Assert.Single(store.Reads.Edges());
        Assert.Equal(11, edge.Connections);
        Assert.Equal(new Dictionary<string, long> { ["AUDIT"] = 5, ["FORWARDED"] = 6 }, edge.Verdicts);
        Assert.Equal(StoreTime.ToOffset(10 * Hour), edge.FirstSeen);
        Assert.Equal(2, edge.DistinctSourcePods);
        Assert.Equal(55, store.Reads.Status().Sources.Single().FlowsRead);

        using var cmd = store.Connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM edge_buckets";
        Assert.Equal(2L, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Five_times_the_traffic_over_the_same_connections_adds_no_rows()
    {
        long Rows(InferenceStore store)
        {
            using var cmd = store.Connection.CreateCommand();
            cmd.CommandText = "SELECT (SELECT count(*) FROM edge_buckets) + (SELECT count(*) FROM edges)";
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        using var once = InferenceStore.Open(Path.Combine(_dir, "once.duckdb"));
        using var five = InferenceStore.Open(Path.Combine(_dir, "five.duckdb"));
        await using (var w = new StoreWriter(once))
        {
            await w.WriteAsync(Batch(100, 10 * Hour), CancellationToken.None);
            await w.CompleteAsync();
        }

        await using (var w = new StoreWriter(five))
        {
            for (var i = 0; i < 5; i++)
            {
                await w.WriteAsync(Batch(100, 10 * Hour), CancellationToken.None);
            }

            await w.CompleteAsync();
        }

        Assert.Equal(Rows(once), Rows(five));
        Assert.Equal(500, five.Reads.Edges().Single().Connections);
    }

    [Fact]
    public async Task A_failed_batch_stores_nothing_of_itself_and_keeps_what_was_stored()
    {
        using var store = InferenceStore.Open(DbPath);
        await using (var writer = new StoreWriter(store))
        {
            await writer.WriteAndWaitAsync(Batch(3, 10 * Hour), CancellationToken.None);
            await writer.CompleteAsync();
        }

        store.AddBatchExtension(new FailingExtension());
        await using (var writer = new StoreWriter(store))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAndWaitAsync(Batch(50, 11 * Hour), CancellationToken.None));
        }

        Assert.Equal(3, store.Reads.Edges().Single().Connections);
    }

    [Fact]
    public async Task Workload_labels_keep_only_what_all_pods_shared_and_pods_keep_all_theirs()
    {
        using var store = InferenceStore.Open(DbPath);
        var v1 = EndpointInfo.ForPod("shop", "frontend-7d4f8b9c6-x2x4z", new Dictionary<string, string> { ["app"] = "frontend", ["version"] = "v1", ["pod-template-hash"] = "7d4f8b9c6" }, new Dictionary<string, string> { ["team"] = "web" }, null, null);
        var v2 = EndpointInfo.ForPod("shop", "frontend-5c6d7f8b9-q2w4e", new Dictionary<string, string> { ["app"] = "frontend", ["version"] = "v2", ["pod-template-hash"] = "5c6d7f8b9" }, new Dictionary<string, string> { ["team"] = "web" }, null, null);
        await using (var writer = new StoreWriter(store))
        {
            foreach (var endpoint in new[] { v1, v2 })
            {
                var aggregator = new EdgeAggregator(TimeSpan.FromHours(1));
                aggregator.Observe(endpoint.Workload!, endpoint, "10.0.0.1", Hour, Hour);
                var batch = new IngestBatch { Source = "t", SourceKind = "hubble-file" };
                aggregator.DrainInto(batch);
                await writer.WriteAsync(batch, CancellationToken.None);
            }

            await writer.CompleteAsync();
        }

        var workload = Assert.Single(store.Reads.Workloads());
        Assert.Equal(new Dictionary<string, string> { ["app"] = "frontend" }, workload.Labels);
        Assert.Equal("web", workload.NamespaceLabels["team"]);
        Assert.Equal(2, store.Reads.Pods().Count);
        Assert.Equal("7d4f8b9c6", store.Reads.Pods().Single(p => p.Pod.StartsWith("frontend-7d4f8b9c6", StringComparison.Ordinal)).Labels["pod-template-hash"]);
    }

    [Fact]
    public void Opening_a_missing_store_read_only_says_what_to_do()
    {
        var ex = Assert.Throws<StoreException>(() => InferenceStore.Open(Path.Combine(_dir, "missing.duckdb"), new StoreOptions { ReadOnly = true }));
        Assert.Contains("ingest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resume_gets_the_latest_last_seen_of_every_recent_connection_from_packed_sets_and_older_rows()
    {
        var dns = new FiveTuple(L4Protocol.Udp, "10.0.0.1", 40000, "10.96.0.10", 53);
        var api = new FiveTuple(L4Protocol.Tcp, "fd00::1", 41000, "fd00::2", 443);
        var ping = new FiveTuple(L4Protocol.Icmp, "10.0.0.1", 0, "10.0.0.9", 8);
        var hourNs = 20 * Hour;
        using var store = InferenceStore.Open(DbPath);
        // a store an older version wrote: one row per connection
        using (var cmd = store.Connection.CreateCommand())
        {
            cmd.CommandText = "INSERT INTO recent_connections VALUES ('test', 'TCP', 'fd00::1', 41000, 'fd00::2', 443, $1)";
            cmd.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter(StoreTime.ToDateTime(hourNs + 5_000_000_000L)));
            cmd.ExecuteNonQuery();
        }

        await using (var writer = new StoreWriter(store))
        {
            var first = new IngestBatch { Source = "test", SourceKind = "hubble-relay" };
            first.RecentConnections.AddRange([(dns, hourNs + 1_000), (api, hourNs + 2_000_000_000L)]);
            var second = new IngestBatch { Source = "test", SourceKind = "hubble-relay" };
            second.RecentConnections.AddRange([(dns, hourNs + 9_000), (ping, hourNs + 3_000)]);
            var other = new IngestBatch { Source = "other", SourceKind = "hubble-relay" };
            other.RecentConnections.Add((ping, hourNs + 99_000));
            await writer.WriteAsync(first, CancellationToken.None);
            await writer.WriteAsync(second, CancellationToken.None);
            await writer.WriteAsync(other, CancellationToken.None);
            await writer.CompleteAsync();
        }

        var recent = store.Reads.Resume("test").RecentConnections.ToDictionary(r => r.Tuple, r => r.LastNs);
        Assert.Equal(3, recent.Count);
        Assert.Equal(hourNs + 9_000, recent[dns]);
        Assert.Equal(hourNs + 5_000_000_000L, recent[api]);
        Assert.Equal(hourNs + 3_000, recent[ping]);
        using var rows = store.Connection.CreateCommand();
        rows.CommandText = "SELECT count(*) FROM recent_connection_sets";
        Assert.Equal(3L, Convert.ToInt64(rows.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Recent_connections_older_than_the_resume_horizon_are_pruned_or_never_stored()
    {
        var tuple = new FiveTuple(L4Protocol.Tcp, "10.0.0.1", 40000, "10.0.0.2", 7070);
        using var store = InferenceStore.Open(DbPath);
        await using (var writer = new StoreWriter(store))
        {
            var old = new IngestBatch { Source = "test", SourceKind = "hubble-relay" };
            old.RecentConnections.Add((tuple, 10 * Hour));
            var later = new IngestBatch { Source = "test", SourceKind = "hubble-relay", ResumeFromNs = 11 * Hour };
            later.RecentConnections.Add((tuple with { SourcePort = 40001 }, 11 * Hour));
            // closed in this batch, but long before where a resume would start: never stored
            later.RecentConnections.Add((tuple with { SourcePort = 40002 }, 10 * Hour));
            await writer.WriteAsync(old, CancellationToken.None);
            await writer.WriteAsync(later, CancellationToken.None);
            await writer.CompleteAsync();
        }

        var recent = Assert.Single(store.Reads.Resume("test").RecentConnections);
        Assert.Equal(40001, recent.Tuple.SourcePort);
    }

    private sealed class FailingExtension : IBatchExtension
    {
        public void Write(DuckDB.NET.Data.DuckDBConnection connection, DuckDB.NET.Data.DuckDBTransaction transaction, IngestBatch batch) =>
            throw new InvalidOperationException("disk full (simulated)");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
            // still open in a failed test
        }
    }
}
