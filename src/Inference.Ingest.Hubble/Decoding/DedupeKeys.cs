using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Inference.Core.Connections;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>The key a flow is deduplicated by: its uuid, or a stable hash of time, node, 5-tuple, observation point and event type.</summary>
internal static class DedupeKeys
{
    public static UInt128 FromUuid(ReadOnlySpan<byte> uuid)
    {
        if (TryParseCanonical(uuid, out var canonical))
        {
            return canonical == UInt128.Zero ? UInt128.One : canonical;
        }

        // not a GUID: hash the text
        var h = Fnv(14695981039346656037UL, uuid);
        return new UInt128(h, Fnv(h ^ 0x9E3779B97F4A7C15UL, uuid)) | UInt128.One;
    }

    public static UInt128 FromContent(FlowEvent e)
    {
        var h1 = 14695981039346656037UL;
        h1 = Mix(h1, (ulong)e.TimeNs);
        h1 = Mix(h1, (ulong)e.Node.GetHashCodeStable());
        h1 = Mix(h1, (ulong)e.SourceIp.GetHashCodeStable());
        h1 = Mix(h1, (ulong)e.DestinationIp.GetHashCodeStable());
        h1 = Mix(h1, ((ulong)(uint)e.SourcePort << 32) | (uint)e.DestinationPort);
        h1 = Mix(h1, ((ulong)e.Protocol << 48) | ((ulong)(uint)e.ObservationPoint << 16) | (ushort)e.EventType);
        h1 = Mix(h1, (ulong)((int)e.Verdict << 8) + (ulong)(e.IsReply is null ? 2 : e.IsReply.Value ? 1 : 0));
        var h2 = Mix(h1 ^ 0x9E3779B97F4A7C15UL, (ulong)e.TimeNs);
        return new UInt128(h1, h2) | UInt128.One;
    }

    /// <summary>
    /// The 128 bits of a uuid written as Hubble writes it (<c>8-4-4-4-12</c> hex digits), eight digits at a time in one
    /// register: per flow, a digit-by-digit loop cost as much as decoding the flow's addresses, ports and verdict.
    /// </summary>
    private static bool TryParseCanonical(ReadOnlySpan<byte> text, out UInt128 value)
    {
        value = UInt128.Zero;
        if (text.Length != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        {
            return false;
        }

        ref var p = ref MemoryMarshal.GetReference(text);
        var first = Unsafe.ReadUnaligned<ulong>(ref p);
        var second = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 9)) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 14)) << 32);
        var third = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 19)) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, 24)) << 32);
        var fourth = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 28));
        if (!BitConverter.IsLittleEndian || !TryHex8(first, out var a) || !TryHex8(second, out var b) || !TryHex8(third, out var c) || !TryHex8(fourth, out var d))
        {
            return false;
        }

        value = new UInt128(((ulong)a << 32) | b, ((ulong)c << 32) | d);
        return true;
    }

    /// <summary>Eight ASCII hex digits (the first in the lowest byte) as a number; false when any byte is not one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryHex8(ulong chars, out uint value)
    {
        const ulong ones = 0x0101010101010101UL;
        const ulong highs = 0x80 * ones;
        value = 0;
        // every byte below 0x80, so the per-byte range checks below never carry into the next byte
        if ((chars & highs) != 0 || (InRange(chars, '0', '9') | InRange(chars, 'a', 'f') | InRange(chars, 'A', 'F')) != highs)
        {
            return false;
        }

        // '0'-'9' keep their low nibble; letters have bit 6 set and a low nibble of 1-6: add 9
        var nibbles = (chars & (0x0F * ones)) + (((chars >> 6) & ones) * 9);
        // the first digit is the most significant: pack the nibbles pairwise, then in halves
        nibbles = BinaryPrimitives.ReverseEndianness(nibbles);
        nibbles = (nibbles | (nibbles >> 4)) & 0x00FF00FF00FF00FFUL;
        nibbles = (nibbles | (nibbles >> 8)) & 0x0000FFFF0000FFFFUL;
        value = (uint)(nibbles | (nibbles >> 16));
        return true;
    }

    /// <summary>0x80 in each byte that lies in [<paramref name="low"/>, <paramref name="high"/>] (bytes below 0x80 only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong InRange(ulong bytes, char low, char high)
    {
        const ulong ones = 0x0101010101010101UL;
        var atLeastLow = bytes + ((0x80UL - low) * ones);
        var aboveHigh = bytes + ((0x7FUL - high) * ones);
        return atLeastLow & ~aboveHigh & (0x80 * ones);
    }

    private static ulong Mix(ulong h, ulong v)
    {
        h ^= v;
        h *= 0xbf58476d1ce4e5b9UL;
        return h ^ (h >> 31);
    }

    private static ulong Fnv(ulong h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return h;
    }

    /// <summary>string.GetHashCode is randomized per process; keys must be stable across runs.</summary>
    private static long GetHashCodeStable(this string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return (long)h;
    }
}
