namespace Inference.Core.Connections;

/// <summary>
/// Event keys seen recently, to drop events a relay sends twice. Kept in two generations, each started when the newest
/// event time has moved on by the retention: a key is remembered for at least the retention (at most twice it), and
/// forgetting is one Clear of the older generation, not a queue and a Remove per key.
/// </summary>
internal sealed class DedupeSet(TimeSpan retention)
{
    private readonly long _retentionNs = (long)retention.TotalNanoseconds;
    private HashSet<Key> _current = [];
    private HashSet<Key> _previous = [];
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

        if (_previous.Count > 0 && _previous.Contains(new Key(key)))
        {
            return false;
        }

        return _current.Add(new Key(key));
    }

    public int Count => _current.Count + _previous.Count;

    /// <summary>
    /// A key hashed by two multiplies, seeded per process: the default hash of a 128-bit number costs several times that,
    /// and file contents are untrusted (crafted uuids must not pile into one bucket).
    /// </summary>
    private readonly record struct Key(UInt128 Value)
    {
        private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

        public override int GetHashCode()
        {
            var h = (((ulong)Value ^ Seed) * 0x9E3779B97F4A7C15UL) ^ (ulong)(Value >> 64);
            return (int)((h * 0xC2B2AE3D27D4EB4FUL) >> 32);
        }
    }
}
