namespace Inference.Core.Connections;

/// <summary>
/// Event keys seen recently, to drop events a relay sends twice. Kept in two generations, each started when the newest
/// event time has moved on by the retention: a key is remembered for at least the retention (at most twice it), and
/// forgetting is one Clear of the older generation, not a queue and a Remove per key.
/// </summary>
internal sealed class DedupeSet(TimeSpan retention)
{
    private readonly long _retentionNs = (long)retention.TotalNanoseconds;
    private HashSet<UInt128> _current = [];
    private HashSet<UInt128> _previous = [];
    private long? _currentStartNs;

    /// <summary>True when the key is new (and is now remembered). <paramref name="nowNs"/> is the newest event time seen.</summary>
    public bool Add(UInt128 key, long nowNs)
    {
        if (_currentStartNs is not { } start)
        {
            _currentStartNs = nowNs;
        }
        else if (nowNs - start >= _retentionNs)
        {
            // the older generation's keys are all at least one retention old now; a jump of two retentions ages both
            (_previous, _current) = (_current, _previous);
            _current.Clear();
            if (nowNs - start >= 2 * _retentionNs)
            {
                _previous.Clear();
            }

            _currentStartNs = nowNs;
        }

        if (_previous.Count > 0 && _previous.Contains(key))
        {
            return false;
        }

        return _current.Add(key);
    }

    public int Count => _current.Count + _previous.Count;
}
