namespace Inference.Benchmarks.Hubble;

/// <summary>
/// The runtime's counters at one moment: what a run allocated, how much the collector paused and how long the JIT
/// compiled (warm-up a week-long ingest pays once), per flow.
/// </summary>
internal readonly record struct GcSnapshot(long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Paused, TimeSpan Jit, long JitMethods)
{
    public static GcSnapshot Take() =>
        new(GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
            System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());

    public string Since(GcSnapshot before, long flows) =>
        $"allocated {(Allocated - before.Allocated) / (double)Math.Max(1, flows):F0} B/flow, GC gen0/1/2 {Gen0 - before.Gen0}/{Gen1 - before.Gen1}/{Gen2 - before.Gen2}, "
        + $"paused {(Paused - before.Paused).TotalMilliseconds:F0} ms, JIT {(Jit - before.Jit).TotalMilliseconds:F0} ms for {JitMethods - before.JitMethods:N0} methods";
}
