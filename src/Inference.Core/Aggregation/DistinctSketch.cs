using System.Buffers.Binary;
using System.Text;

namespace Inference.Core.Aggregation;

/// <summary>
/// Distinct count of pod names: exact up to <see cref="Capacity"/> names, a k-minimum-values estimate beyond.
/// Keeps the smallest <see cref="Capacity"/> 64-bit hashes; two sketches merge by union. Serialized as little-endian bytes.
/// </summary>
public sealed class DistinctSketch
{
    public const int Capacity = 64;

    // the smallest hashes, ascending: a sketch gets one or two pods per connection, so a sorted array searched in halves
    // (no node per hash, unlike a tree) is where most of a connection's counting time went
    private ulong[] _hashes = new ulong[4];
    private int _count;

    public void Add(string value) => AddHash(HashMemo.Get(value));

    public void AddHash(ulong hash)
    {
        var at = Array.BinarySearch(_hashes, 0, _count, hash);
        if (at >= 0)
        {
            return;
        }

        at = ~at;
        if (_count == Capacity)
        {
            if (at == Capacity)
            {
                // larger than every kept hash: not among the smallest
                return;
            }

            // the largest kept hash makes room
            _count--;
        }
        else if (_count == _hashes.Length)
        {
            Array.Resize(ref _hashes, Math.Min(Capacity, _hashes.Length * 2));
        }

        Array.Copy(_hashes, at, _hashes, at + 1, _count - at);
        _hashes[at] = hash;
        _count++;
    }

    public void Merge(DistinctSketch other)
    {
        for (var i = 0; i < other._count; i++)
        {
            AddHash(other._hashes[i]);
        }
    }

    public bool IsEmpty => _count == 0;

    /// <summary>Exact while fewer than <see cref="Capacity"/> values were seen; estimated (k-1)/max beyond.</summary>
    public long Estimate()
    {
        if (_count < Capacity)
        {
            return _count;
        }

        var fraction = (double)_hashes[_count - 1] / ulong.MaxValue;
        return fraction <= 0 ? _count : (long)Math.Round((Capacity - 1) / fraction);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[_count * 8];
        for (var i = 0; i < _count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), _hashes[i]);
        }

        return bytes;
    }

    public static DistinctSketch FromBytes(ReadOnlySpan<byte> bytes)
    {
        var sketch = new DistinctSketch();
        for (var i = 0; i + 8 <= bytes.Length; i += 8)
        {
            sketch.AddHash(BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
        }

        return sketch;
    }

    /// <summary>FNV-1a over UTF-8 with a splitmix64 finalizer: stable across processes (string.GetHashCode is not).</summary>
    public static ulong Hash(string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(value) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(value, buffer)] : Encoding.UTF8.GetBytes(value);
        var h = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        return h ^ (h >> 31);
    }

    /// <summary>
    /// The last hashes computed on this thread, by string instance: pod names are interned by the decoders, so the same
    /// few strings come back connection after connection and are hashed once.
    /// </summary>
    private static class HashMemo
    {
        private const int Slots = 256;

        [ThreadStatic]
        private static (string? Value, ulong Hash)[]? t_slots;

        public static ulong Get(string value)
        {
            var slots = t_slots ??= new (string?, ulong)[Slots];
            ref var slot = ref slots[System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value) & (Slots - 1)];
            if (!ReferenceEquals(slot.Value, value))
            {
                slot = (value, Hash(value));
            }

            return slot.Hash;
        }
    }
}
