using System.Diagnostics;
using DuckDB.NET.Data;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using static Inference.Benchmarks.Hubble.BenchSupport;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// Our file import (HubbleIngestRunner.ImportFileAsync into a fresh DuckDB file) vs DuckDB's own read_ndjson + GROUP BY
/// into an edges table, over the same synthetic <c>-o jsonpb</c> file. Target: ours at least 3x faster (wall clock).
/// </summary>
internal sealed class HubbleFileImportBenchmark(long? fileBytes = null) : IBenchmark
{
    private const double Target = 3.0;

    public string Name => "hubble-file-import";

    public string Description => "file import vs DuckDB read_ndjson + GROUP BY over the same ~250 MB -o jsonpb file (target: ours >= 3x faster)";

    public async Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var bytes = fileBytes ?? FromEnvironment("HUBBLE_BENCH_FILE_MB", 250) * 1024 * 1024;
        var dir = TempDirectory("file-import");
        try
        {
            var generator = new SyntheticHubble();
            var path = Path.Combine(dir, "flows.json");
            var watch = Stopwatch.StartNew();
            var (flows, size) = SyntheticHubble.WriteJsonLines(path, generator.Responses(generator.ConnectionsForJsonBytes(bytes)));
            output.WriteLine($"   input: {flows:N0} flows, {Mb(size)}, {generator.Workloads} workloads, {generator.Edges} edges (generated in {S(watch.Elapsed)})");

            var oursDb = Path.Combine(dir, "ours.duckdb");
            var gc = GcSnapshot.Take();
            var (summary, oursWall, oursCpu) = await TimeAsync(async () =>
            {
                using var store = InferenceStore.Open(oursDb);
                var options = new IngestOptions { Source = path, SourceKind = "hubble-file" };
                return await HubbleIngestRunner.ImportFileAsync(store, path, options, _ => { }, TimeProvider.System, cancellationToken);
            });
            output.WriteLine($"   ours:   wall {S(oursWall)}, cpu {S(oursCpu)}, {F(size / 1048576.0 / oursWall.TotalSeconds, "F0")} MB/s, {F(flows / oursWall.TotalSeconds, "N0")} flows/s; "
                + $"{summary.FlowsRead:N0} flows read, {summary.Malformed} malformed, {summary.Connections:N0} connections, {StoredEdges(oursDb)}");
            output.WriteLine($"   ours: {GcSnapshot.Take().Since(gc, flows)}");

            var duckDb = Path.Combine(dir, "duckdb.duckdb");
            var (duckRows, duckWall, duckCpu) = await TimeAsync(() => Task.FromResult(DuckDbGroupBy(duckDb, path)));
            output.WriteLine($"   duckdb: wall {S(duckWall)}, cpu {S(duckCpu)}, {F(size / 1048576.0 / duckWall.TotalSeconds, "F0")} MB/s; read_ndjson + GROUP BY -> {duckRows:N0} edge rows");

            ImportProfile.Run(output, path);
            // both again, now that both have run once (ours compiled, DuckDB's library loaded): information only
            var oursWarm = await ImportSteps.RunAsync(output, path, Path.Combine(dir, "steps.duckdb"));
            var (_, duckWarm, _) = await TimeAsync(() => Task.FromResult(DuckDbGroupBy(Path.Combine(dir, "duckdb-warm.duckdb"), path)));
            var ratio = duckWall.TotalSeconds / oursWall.TotalSeconds;
            output.WriteLine($"   ratio (duckdb wall / ours wall): {F(ratio)}x (target >= {F(Target, "F1")}x); cpu ratio {F(duckCpu.TotalSeconds / oursCpu.TotalSeconds)}x; "
                + $"warm (information): duckdb {S(duckWarm)}, ours {S(oursWarm)}, ratio {F(duckWarm.TotalSeconds / oursWarm.TotalSeconds)}x");
            return summary.Malformed == 0 && ratio >= Target;
        }
        finally
        {
            DeleteQuietly(dir);
        }
    }

    internal static string StoredEdges(string db)
    {
        using var connection = new DuckDBConnection($"Data Source={db};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM edges) || ' edges, ' || (SELECT count(*) FROM edge_buckets) || ' edge buckets'";
        return cmd.ExecuteScalar()?.ToString() ?? "";
    }

    /// <summary>The baseline: DuckDB reads the same lines (only the columns it needs, typed) and groups them into edges.</summary>
    private static long DuckDbGroupBy(string db, string path)
    {
        using var connection = new DuckDBConnection($"Data Source={db}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        const string endpoint = "STRUCT(namespace VARCHAR, pod_name VARCHAR, labels VARCHAR[])";
        const string port = "STRUCT(source_port INTEGER, destination_port INTEGER)";
        var columns = "{flow: 'STRUCT(time VARCHAR, verdict VARCHAR, \"IP\" STRUCT(source VARCHAR, destination VARCHAR), l4 STRUCT(\"TCP\" " + port
            + ", \"UDP\" " + port + "), source " + endpoint + ", destination " + endpoint + ", is_reply BOOLEAN)'}";
        cmd.CommandText = $"""
            SET threads = {Environment.ProcessorCount};
            CREATE TABLE edges AS
            SELECT flow.source.namespace AS src_namespace,
                   coalesce(flow.source.pod_name, flow.IP.source) AS src_pod,
                   flow.destination.namespace AS dst_namespace,
                   coalesce(flow.destination.pod_name, flow.IP.destination) AS dst_pod,
                   CASE WHEN flow.l4.TCP IS NOT NULL THEN 'TCP' WHEN flow.l4.UDP IS NOT NULL THEN 'UDP' ELSE 'OTHER' END AS protocol,
                   coalesce(flow.l4.TCP.destination_port, flow.l4.UDP.destination_port) AS port,
                   count(*) AS flows
            FROM read_ndjson('{path.Replace("'", "''", StringComparison.Ordinal)}', columns = {columns}, maximum_object_size = 16777216)
            WHERE NOT coalesce(flow.is_reply, false)
            GROUP BY ALL;
            SELECT count(*) FROM edges;
            """;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
