namespace Inference.Ingest.Calico.Counting;

/// <summary>
/// The per-reporter counts of every (edge, bucket) this source has stored, loaded from the store at start so that a
/// reporter arriving after a restart (or in another partition, later) is still merged by max, not added.
/// </summary>
public sealed class IntervalStates
{
    private readonly Dictionary<(string Edge, long Bucket), ReporterCounts> _states = [];

    public int Count => _states.Count;

    internal ReporterCounts GetOrAdd(string edge, long bucketNs)
    {
        if (!_states.TryGetValue((edge, bucketNs), out var counts))
        {
            counts = new ReporterCounts();
            _states[(edge, bucketNs)] = counts;
        }

        return counts;
    }

    internal void Load(string edge, long bucketNs, long[] counts) => _states[(edge, bucketNs)] = new ReporterCounts(counts);
}
