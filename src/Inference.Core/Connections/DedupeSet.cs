namespace Inference.Core.Connections;

/// <summary>Event keys seen recently, forgotten once the stream is <c>retention</c> past them.</summary>
internal sealed class DedupeSet(TimeSpan retention)
{
    private readonly HashSet<UInt128> _seen = [];
    private readonly Queue<(long TimeNs, UInt128 Key)> _order = new();
    private readonly long _retentionNs = (long)retention.TotalNanoseconds;

    /// <summary>True when the key is new (and is now remembered).</summary>
    public bool Add(UInt128 key, long timeNs, long nowNs)
    {
        while (_order.Count > 0 && _order.Peek().TimeNs < nowNs - _retentionNs)
        {
            _seen.Remove(_order.Dequeue().Key);
        }

        if (!_seen.Add(key))
        {
            return false;
        }

        _order.Enqueue((timeNs, key));
        return true;
    }

    public int Count => _seen.Count;
}
