using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// Interns the UTF-8 strings that repeat in every flow (addresses, node names, label strings), so decoding a flow
/// allocates no string it has seen before. Bounded: cleared when full.
/// </summary>
internal sealed class StringPool(int capacity = 100_000)
{
    private readonly ByteKeyCache<string> _strings = new(capacity);

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (_strings.TryGet(utf8, out var s))
        {
            return s;
        }

        s = Encoding.UTF8.GetString(utf8);
        _strings.Add(utf8.ToArray(), s);
        return s;
    }
}

/// <summary>Compares byte keys by content; looks them up by span without allocating.</summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();
    private static readonly ulong Seed = 14695981039346656037UL ^ (ulong)Random.Shared.NextInt64();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);
    public int GetHashCode(byte[] obj) => Hash(obj);
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        // FNV-1a-style over 8-byte words in four independent lanes (an endpoint's bytes run to hundreds, and one
        // multiply chain would wait on itself); only needs to spread keys within one process, seeded per process so
        // flow contents cannot be crafted to collide
        const ulong prime = 1099511628211UL;
        ulong h0 = Seed, h1 = h0 ^ 1, h2 = h0 ^ 2, h3 = h0 ^ 3;
        ref var p = ref MemoryMarshal.GetReference(bytes);
        var n = bytes.Length;
        var i = 0;
        for (; i + 32 <= n; i += 32)
        {
            // unaligned word reads inside the bounds the loop checks: a span indexer per word cost a third more
            h0 = (h0 ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i))) * prime;
            h1 = (h1 ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 8))) * prime;
            h2 = (h2 ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 16))) * prime;
            h3 = (h3 ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i + 24))) * prime;
        }

        for (; i + 8 <= n; i += 8)
        {
            h1 = (h1 ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i))) * prime;
        }

        if (i < n)
        {
            // the last 1-7 bytes as one word
            ulong tail = 0;
            for (var shift = 0; i < n; i++, shift += 8)
            {
                tail |= (ulong)Unsafe.Add(ref p, i) << shift;
            }

            h2 = (h2 ^ tail) * prime;
        }

        var h = (h0 ^ (h1 * 31) ^ (h2 * 961) ^ (h3 * 29791) ^ (ulong)n) * prime;
        return (int)(h ^ (h >> 32));
    }
}
