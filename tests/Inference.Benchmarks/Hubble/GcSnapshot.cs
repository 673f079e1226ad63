namespace Inference.Benchmarks.Hubble;

/// <summary>The collector's counters at one moment: what a run allocated and how much it paused, per flow.</summary>
internal readonly record struct GcSnapshot(long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    public static GcSnapshot Take() =>
        new(GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public string Since(GcSnapshot before, long flows) =>
        $"allocated {(Allocated - before.Allocated) / (double)Math.Max(1, flows):F0} B/flow, GC gen0/1/2 {Gen0 - before.Gen0}/{Gen1 - before.Gen1}/{Gen2 - before.Gen2}, "
        + $"paused {(Paused - before.Paused).TotalMilliseconds:F0} ms";
}
