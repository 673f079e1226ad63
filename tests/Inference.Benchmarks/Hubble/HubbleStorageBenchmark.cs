using System.Diagnostics;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using static Inference.Benchmarks.Hubble.BenchSupport;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// Storage growth: traffic X and 5X (same connections' edges, same time buckets, 5x the connections and flows) imported
/// into fresh stores; the DB file may grow at most 1.5x. Memory: the working set while importing the ~1M-flow 5X file
/// (sampled every 10 ms) stays under 500 MB.
/// </summary>
internal sealed class HubbleStorageBenchmark(long? largeFlows = null) : IBenchmark
{
    private const double GrowthTarget = 1.5;
    private const long MemoryTarget = 500L * 1024 * 1024;

    public string Name => "hubble-storage";

    public string Description => "DB growth for 5x the traffic over the same edges (target <= 1.5x) and working set importing a 1M-flow file (target < 500 MB)";

    public async Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var large = largeFlows ?? FromEnvironment("HUBBLE_BENCH_STORAGE_FLOWS", 1_000_000);
        var dir = TempDirectory("storage");
        try
        {
            var generator = new SyntheticHubble();
            var connections5 = generator.ConnectionsForFlows(large);
            var connections1 = connections5 / 5;
            var small = Path.Combine(dir, "x1.json");
            var big = Path.Combine(dir, "x5.json");
            var watch = Stopwatch.StartNew();
            var (flows1, bytes1) = SyntheticHubble.WriteJsonLines(small, generator.Responses(connections1));
            var (flows5, bytes5) = SyntheticHubble.WriteJsonLines(big, generator.Responses(connections1 * 5));
            output.WriteLine($"   X: {connections1:N0} connections, {flows1:N0} flows, {Mb(bytes1)}; 5X: {connections1 * 5:N0} connections, {flows5:N0} flows, {Mb(bytes5)}; same {generator.Edges} edges over {generator.Span.TotalHours} h (generated in {S(watch.Elapsed)})");

            var db1 = Path.Combine(dir, "x1.duckdb");
            var (s1, wall1, _) = await TimeAsync(() => ImportAsync(small, db1, cancellationToken));
            var size1 = DbSize(db1);
            output.WriteLine($"   X  store: {Mb(size1)} ({s1.FlowsRead:N0} flows, {s1.Connections:N0} connections, {HubbleFileImportBenchmark.StoredEdges(db1)}) in {S(wall1)}");

            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            var before = self.WorkingSet64;
            long peak = before;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                using var me = Process.GetCurrentProcess();
                while (!stop.IsCancellationRequested)
                {
                    me.Refresh();
                    peak = Math.Max(peak, me.WorkingSet64);
                    try
                    {
                        await Task.Delay(10, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }, CancellationToken.None);
            var db5 = Path.Combine(dir, "x5.duckdb");
            var (s5, wall5, _) = await TimeAsync(() => ImportAsync(big, db5, cancellationToken));
            await stop.CancelAsync();
            await sampler;
            var size5 = DbSize(db5);
            self.Refresh();
            output.WriteLine($"   5X store: {Mb(size5)} ({s5.FlowsRead:N0} flows, {s5.Connections:N0} connections, {HubbleFileImportBenchmark.StoredEdges(db5)}) in {S(wall5)}");

            var growth = (double)size5 / size1;
            output.WriteLine($"   growth 5X/X: {F(growth)}x (target <= {F(GrowthTarget, "F1")}x)");
            output.WriteLine($"   working set importing {s5.FlowsRead:N0} flows: peak {Mb(peak)} sampled (before {Mb(before)}); process lifetime peak {Mb(self.PeakWorkingSet64)} (target < {Mb(MemoryTarget)})");
            return growth <= GrowthTarget && peak < MemoryTarget;
        }
        finally
        {
            DeleteQuietly(dir);
        }
    }

    private static async Task<IngestSummary> ImportAsync(string path, string db, CancellationToken cancellationToken)
    {
        using var store = InferenceStore.Open(db);
        return await HubbleIngestRunner.ImportFileAsync(store, path, new IngestOptions { Source = path, SourceKind = "hubble-file" }, _ => { }, TimeProvider.System, cancellationToken);
    }
}
