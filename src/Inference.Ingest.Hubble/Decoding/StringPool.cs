using System.Runtime.InteropServices;
using System.Text;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// Interns the UTF-8 strings that repeat in every flow (addresses, node names, label strings), so decoding a flow
/// allocates no string it has seen before. Bounded: cleared when full.
/// </summary>
internal sealed class StringPool(int capacity = 100_000)
{
    private readonly Dictionary<byte[], string> _strings = new(ByteKeyComparer.Instance);

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(utf8, out var s))
        {
            return s;
        }

        if (_strings.Count >= capacity)
        {
            _strings.Clear();
        }

        s = Encoding.UTF8.GetString(utf8);
        _strings[utf8.ToArray()] = s;
        return s;
    }
}

/// <summary>Compares byte keys by content; looks them up by span without allocating.</summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);
    public int GetHashCode(byte[] obj) => Hash(obj);
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        // FNV-1a over 8-byte words: fast, and only needs to spread keys within one process
        ulong h = 14695981039346656037UL;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var w in words)
        {
            h = (h ^ w) * 1099511628211UL;
        }

        for (var i = words.Length * 8; i < bytes.Length; i++)
        {
            h = (h ^ bytes[i]) * 1099511628211UL;
        }

        return (int)(h ^ (h >> 32));
    }
}
