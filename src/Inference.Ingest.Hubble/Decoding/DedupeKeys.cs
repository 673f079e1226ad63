using System.Buffers.Text;
using Inference.Core.Connections;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>The key a flow is deduplicated by: its uuid, or a stable hash of time, node, 5-tuple, observation point and event type.</summary>
internal static class DedupeKeys
{
    public static UInt128 FromUuid(ReadOnlySpan<byte> uuid)
    {
        if (Utf8Parser.TryParse(uuid, out Guid guid, out var consumed) && consumed == uuid.Length)
        {
            Span<byte> bytes = stackalloc byte[16];
            guid.TryWriteBytes(bytes);
            var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(bytes);
            return key == UInt128.Zero ? UInt128.One : key;
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
