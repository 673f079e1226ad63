namespace Inference.Core.Connections;

/// <summary>
/// Event keys seen recently, to drop events a relay sends twice. A key is remembered for at least the retention past the
/// newest event time (at most twice it). An event sent twice is the same event both times, with the same time: so an
/// event newer than every one before it cannot be a duplicate, and in a time-ordered stream (what a relay and
/// <c>hubble observe</c> send, near enough) most events are. Their keys are appended to a time-ordered log, which costs
/// no random memory access; only the others (events behind the newest one: node interleaving, a resumed stream's replay)
/// are looked up, in the log by time and in a hash table that holds those.
/// </summary>
internal sealed class DedupeSet(TimeSpan retention)
{
    private readonly long _retentionNs = (long)retention.TotalNanoseconds;
    private readonly TimeOrderedKeys _ordered = new();
    private KeyTable _current = new();
    private KeyTable _previous = new();
    private long? _currentStartNs;

    /// <summary>
    /// True when the key is new (and is now remembered). <paramref name="eventNs"/> is the event's own time,
    /// <paramref name="nowNs"/> the newest event time seen (what ages keys out).
    /// </summary>
    public bool Add(UInt128 key, long eventNs, long nowNs)
    {
        if (key == UInt128.Zero)
        {
            // no key: nothing to tell it apart by (an empty slot is zero)
            return true;
        }

        Age(nowNs);
        if (_ordered.IsAfterNewest(eventNs))
        {
            _ordered.Append(eventNs, key);
            return true;
        }

        if (_ordered.Contains(eventNs, key) || (_previous.Count > 0 && _previous.Contains(key)))
        {
            return false;
        }

        return _current.Add(key);
    }

    public int Count => _ordered.Count + _current.Count + _previous.Count;

    private void Age(long nowNs)
    {
        _ordered.ForgetBefore(nowNs - _retentionNs);
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
    }

    /// <summary>
    /// (time, key) pairs with strictly increasing times, in a ring: appended at the end, forgotten from the start. A time
    /// is looked up by galloping back from the newest (an event out of order is usually only a little behind), then by
    /// binary search.
    /// </summary>
    private sealed class TimeOrderedKeys
    {
        private long[] _times = new long[1 << 10];
        private UInt128[] _keys = new UInt128[1 << 10];
        private int _start;
        private long _newestNs = long.MinValue;

        public int Count { get; private set; }

        public bool IsAfterNewest(long timeNs) => timeNs > _newestNs;

        public void Append(long timeNs, UInt128 key)
        {
            if (Count == _times.Length)
            {
                Grow();
            }

            var i = (_start + Count) & (_times.Length - 1);
            _times[i] = timeNs;
            _keys[i] = key;
            Count++;
            _newestNs = timeNs;
        }

        public void ForgetBefore(long timeNs)
        {
            var mask = _times.Length - 1;
            while (Count > 0 && _times[_start] < timeNs)
            {
                _start = (_start + 1) & mask;
                Count--;
            }
        }

        public bool Contains(long timeNs, UInt128 key)
        {
            if (Count == 0 || timeNs > _newestNs || timeNs < TimeAt(0))
            {
                return false;
            }

            // gallop back from the newest until an entry is not after the time, then search the last stretch
            int hi = Count - 1, step = 1;
            var lo = hi;
            while (lo > 0 && TimeAt(lo) > timeNs)
            {
                hi = lo - 1;
                lo = Math.Max(0, lo - step);
                step *= 2;
            }

            while (lo <= hi)
            {
                var mid = lo + ((hi - lo) >> 1);
                var t = TimeAt(mid);
                if (t == timeNs)
                {
                    return _keys[(_start + mid) & (_times.Length - 1)] == key;
                }

                if (t < timeNs)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return false;
        }

        private long TimeAt(int index) => _times[(_start + index) & (_times.Length - 1)];

        private void Grow()
        {
            var times = new long[_times.Length * 2];
            var keys = new UInt128[_keys.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                var from = (_start + i) & (_times.Length - 1);
                times[i] = _times[from];
                keys[i] = _keys[from];
            }

            (_times, _keys, _start) = (times, keys, 0);
        }
    }

    /// <summary>
    /// Keys in one open-addressed array probed linearly: a lookup is one random memory access where a HashSet takes two
    /// (bucket, then entry). Zero marks an empty slot (keys are never zero). Slots are picked by two multiplies, seeded
    /// per process: file contents are untrusted, and crafted uuids must not pile into one run of slots.
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
            if (Count > 0)
            {
                Array.Clear(_slots);
                Count = 0;
            }
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
