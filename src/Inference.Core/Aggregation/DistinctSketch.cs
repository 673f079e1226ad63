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
    private readonly SortedSet<ulong> _hashes = [];

    public void Add(string value) => AddHash(Hash(value));

    public void AddHash(ulong hash)
    {
        if (_hashes.Count < Capacity)
        {
            _hashes.Add(hash);
            return;
        }

        if (hash < _hashes.Max && _hashes.Add(hash))
        {
            _hashes.Remove(_hashes.Max);
        }
    }

    public void Merge(DistinctSketch other)
    {
        foreach (var h in other._hashes)
        {
            AddHash(h);
        }
    }

    public bool IsEmpty => _hashes.Count == 0;

    /// <summary>Exact while fewer than <see cref="Capacity"/> values were seen; estimated (k-1)/max beyond.</summary>
    public long Estimate()
    {
        if (_hashes.Count < Capacity)
        {
            return _hashes.Count;
        }

        var fraction = (double)_hashes.Max / ulong.MaxValue;
        return fraction <= 0 ? _hashes.Count : (long)Math.Round((Capacity - 1) / fraction);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[_hashes.Count * 8];
        var i = 0;
        foreach (var h in _hashes)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i), h);
            i += 8;
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
}
