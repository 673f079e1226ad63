using System.Buffers.Binary;
using System.Text;
using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Store.Writing;

/// <summary>
/// The blob of a <c>recent_connection_sets</c> row: a format byte (1), then per connection the protocol (1 byte),
/// source and destination port (int32 each), last seen (int64 ns), and the source and destination address (uint16
/// length, UTF-8), all little-endian.
/// </summary>
internal static class RecentConnectionSets
{
    private const byte Format = 1;

    public static byte[] Pack(IReadOnlyList<(FiveTuple Tuple, long LastNs)> connections)
    {
        // sized exactly first: a busy flush packs megabytes, and one large array is cheaper for the collector than a
        // growing buffer and its copy
        var size = 1;
        foreach (var (tuple, _) in connections)
        {
            size += Packable(tuple) is { } lengths ? 21 + lengths.Source + lengths.Destination : 0;
        }

        var blob = new byte[size];
        blob[0] = Format;
        var span = blob.AsSpan(1);
        foreach (var (tuple, lastNs) in connections)
        {
            if (Packable(tuple) is not { } lengths)
            {
                continue;
            }

            span[0] = (byte)tuple.Protocol;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], tuple.SourcePort);
            BinaryPrimitives.WriteInt32LittleEndian(span[5..], tuple.DestinationPort);
            BinaryPrimitives.WriteInt64LittleEndian(span[9..], lastNs);
            var at = 17;
            at += WriteString(span[at..], tuple.SourceIp, lengths.Source);
            at += WriteString(span[at..], tuple.DestinationIp, lengths.Destination);
            span = span[at..];
        }

        return blob;
    }

    /// <summary>The UTF-8 lengths of both addresses, or null for one no length prefix holds (not an address: never worth resuming).</summary>
    private static (int Source, int Destination)? Packable(FiveTuple tuple)
    {
        var source = Encoding.UTF8.GetByteCount(tuple.SourceIp);
        var destination = Encoding.UTF8.GetByteCount(tuple.DestinationIp);
        return source > ushort.MaxValue || destination > ushort.MaxValue ? null : (source, destination);
    }

    /// <summary>Adds each packed connection to <paramref name="latest"/>, keeping the latest last-seen per 5-tuple.</summary>
    public static void Unpack(ReadOnlySpan<byte> blob, Dictionary<FiveTuple, long> latest)
    {
        if (blob.IsEmpty || blob[0] != Format)
        {
            throw new StoreException($"recent_connection_sets: unknown tuple format {(blob.IsEmpty ? "(empty)" : blob[0].ToString(System.Globalization.CultureInfo.InvariantCulture))}; upgrade inference");
        }

        var rest = blob[1..];
        while (!rest.IsEmpty)
        {
            if (rest.Length < 21)
            {
                throw new StoreException("recent_connection_sets: a packed connection is cut short");
            }

            var protocol = (L4Protocol)rest[0];
            var sourcePort = BinaryPrimitives.ReadInt32LittleEndian(rest[1..]);
            var destinationPort = BinaryPrimitives.ReadInt32LittleEndian(rest[5..]);
            var lastNs = BinaryPrimitives.ReadInt64LittleEndian(rest[9..]);
            rest = rest[17..];
            var sourceIp = ReadString(ref rest);
            var destinationIp = ReadString(ref rest);
            KeepLatest(latest, new FiveTuple(protocol, sourceIp, sourcePort, destinationIp, destinationPort), lastNs);
        }
    }

    /// <summary>Records <paramref name="lastNs"/> for the 5-tuple unless a later last-seen is already known.</summary>
    public static void KeepLatest(Dictionary<FiveTuple, long> latest, FiveTuple tuple, long lastNs)
    {
        if (!latest.TryGetValue(tuple, out var known) || known < lastNs)
        {
            latest[tuple] = lastNs;
        }
    }

    private static int WriteString(Span<byte> span, string value, int length)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(value, span[2..]);
        return 2 + length;
    }

    private static string ReadString(ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 2)
        {
            throw new StoreException("recent_connection_sets: a packed connection is cut short");
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
        if (rest.Length < 2 + length)
        {
            throw new StoreException("recent_connection_sets: a packed connection is cut short");
        }

        var value = Encoding.UTF8.GetString(rest.Slice(2, length));
        rest = rest[(2 + length)..];
        return value;
    }
}
