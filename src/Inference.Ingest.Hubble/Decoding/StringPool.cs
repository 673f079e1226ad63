using System.IO.Hashing;
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
    private static readonly long Seed = Random.Shared.NextInt64();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);
    public int GetHashCode(byte[] obj) => Hash(obj);
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    // seeded per process so flow contents cannot be crafted to collide; only needs to spread keys within one process
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var h = XxHash3.HashToUInt64(bytes, Seed);
        return (int)(h ^ (h >> 32));
    }
}
