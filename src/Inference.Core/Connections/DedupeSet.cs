namespace Inference.Core.Connections;

/// <summary>
/// Event keys seen recently, to drop events a relay sends twice. Kept in two generations, each started when the newest
/// event time has moved on by the retention: a key is remembered for at least the retention (at most twice it), and
/// forgetting is one Clear of the older generation, not a queue and a Remove per key.
/// </summary>
internal sealed class DedupeSet(TimeSpan retention)
{
    private readonly long _retentionNs = (long)retention.TotalNanoseconds;
    private KeyTable _current = new();
    private KeyTable _previous = new();
    private long? _currentStartNs;

    /// <summary>True when the key is new (and is now remembered). <paramref name="nowNs"/> is the newest event time seen.</summary>
    public bool Add(UInt128 key, long nowNs)
    {
        if (key == UInt128.Zero)
        {
            // no key: nothing to tell it apart by (an empty slot is zero)
            return true;
        }

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

    /// <summary>
    /// Keys in one open-addressed array probed linearly: a lookup is one random memory access where a HashSet takes two
    /// (bucket, then entry), and with millions of keys both miss the cache. Zero marks an empty slot (keys are never
    /// zero). Slots are picked by two multiplies, seeded per process: file contents are untrusted, and crafted uuids
    /// must not pile into one run of slots.
    /// </summary>
    private sealed class KeyTable
    {
        private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();
        private UInt128[] _slots = new UInt128[1 << 10];
        private int _shift = 64 - 10;

        public int Count { get; private set; }

        public bool Contains(UInt128 key) => _slots[Find(key)] == key;

        /// <summary>True when the key was not there (and is now).</summary>
        public bool Add(UInt128 key)
        {
            if ((Count + 1) * 4L > _slots.Length * 3L)
            {
                Grow();
            }

            var i = Find(key);
            if (_slots[i] == key)
            {
                return false;
            }

            _slots[i] = key;
            Count++;
            return true;
        }

        /// <summary>The slot holding the key, or the empty slot where it would go.</summary>
        private int Find(UInt128 key)
        {
            var mask = _slots.Length - 1;
            var i = SlotOf(key);
            while (_slots[i] != key && _slots[i] != UInt128.Zero)
            {
                i = (i + 1) & mask;
            }

            return i;
        }

        public void Clear()
        {
            Array.Clear(_slots);
            Count = 0;
        }

        private int SlotOf(UInt128 key)
        {
            var h = (((ulong)key ^ Seed) * 0x9E3779B97F4A7C15UL) ^ (ulong)(key >> 64);
            return (int)((h * 0xC2B2AE3D27D4EB4FUL) >> _shift);
        }

        private void Grow()
        {
            var old = _slots;
            _slots = new UInt128[old.Length * 2];
            _shift--;
            Count = 0;
            foreach (var key in old)
            {
                if (key != UInt128.Zero)
                {
                    Add(key);
                }
            }
        }
    }
}
