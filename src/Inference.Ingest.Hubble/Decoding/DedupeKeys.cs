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
    /// The 128 bits of a uuid written as Hubble writes it (<c>8-4-4-4-12</c> hex digits), read in one pass: the general
    /// GUID parser, which takes every format, cost more than the rest of the flow's fields together.
    /// </summary>
    private static bool TryParseCanonical(ReadOnlySpan<byte> text, out UInt128 value)
    {
        value = UInt128.Zero;
        if (text.Length != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        {
            return false;
        }

        ulong high = 0, low = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == '-')
            {
                continue;
            }

            var nibble = HexValue(c);
            if (nibble < 0)
            {
                return false;
            }

            if (digits++ < 16)
            {
                high = (high << 4) | (uint)nibble;
            }
            else
            {
                low = (low << 4) | (uint)nibble;
            }
        }

        value = new UInt128(high, low);
        return digits == 32;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

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
