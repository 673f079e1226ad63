using Inference.Core.Activity;
using Inference.Store;

namespace Inference.Ingest.Hubble.Pipeline;

/// <summary>
/// What the store's sources held before a run began, to tell when it ends which of its time they already held from the
/// same nodes, where nothing recognised the connections both saw.
/// </summary>
public sealed class EarlierCoverage
{
    private readonly IReadOnlyList<CoveredTime> _earlier;
    private readonly Func<CoveredTime, long> _rememberedNs;
    private readonly long? _ownLastNs;

    private EarlierCoverage(IReadOnlyList<CoveredTime> earlier, Func<CoveredTime, long> rememberedNs, long? ownLastNs)
    {
        _earlier = earlier;
        _rememberedNs = rememberedNs;
        _ownLastNs = ownLastNs;
    }

    /// <summary>Before a file import: every source; earlier file imports' last minutes are recognised (their recent connections).</summary>
    public static EarlierCoverage ForFileImport(InferenceStore store, IngestOptions options)
    {
        var remembered = (long)FlowPipeline.Remembered(options).TotalNanoseconds;
        return new EarlierCoverage(store.Reads.Coverage(), c => c.Kind == options.SourceKind ? remembered : 0, null);
    }

    /// <summary>
    /// Before a relay run: every other source. Its own earlier runs are resumed from, and what the relay sends again of
    /// them is dropped: only the run's flows after its source's last stored one are its own.
    /// </summary>
    public static EarlierCoverage ForRelay(InferenceStore store, IngestOptions options)
    {
        var coverage = store.Reads.Coverage();
        return new EarlierCoverage([.. coverage.Where(c => c.Source != options.Source)], _ => 0, coverage.FirstOrDefault(c => c.Source == options.Source)?.LastNs);
    }

    /// <summary>The time of <paramref name="pipeline"/>'s flows (as of its last flush) an earlier source already held.</summary>
    public IReadOnlyList<SharedCoverage> SharedWith(FlowPipeline pipeline)
    {
        if (pipeline.Covered is not { } run || run.LastNs <= _ownLastNs)
        {
            return [];
        }

        return SharedCoverageFinder.Find(run with { FirstNs = Math.Max(run.FirstNs, _ownLastNs ?? long.MinValue) }, _earlier, _rememberedNs);
    }
}
