using System.Buffers;
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
        var buffer = new ArrayBufferWriter<byte>(1 + (connections.Count * 48));
        buffer.GetSpan(1)[0] = Format;
        buffer.Advance(1);
        foreach (var (tuple, lastNs) in connections)
        {
            var sourceLength = Encoding.UTF8.GetByteCount(tuple.SourceIp);
            var destinationLength = Encoding.UTF8.GetByteCount(tuple.DestinationIp);
            if (sourceLength > ushort.MaxValue || destinationLength > ushort.MaxValue)
            {
                // not an address: such a flow never makes a connection worth resuming
                continue;
            }

            var span = buffer.GetSpan(21 + 4 + sourceLength + destinationLength);
            span[0] = (byte)tuple.Protocol;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], tuple.SourcePort);
            BinaryPrimitives.WriteInt32LittleEndian(span[5..], tuple.DestinationPort);
            BinaryPrimitives.WriteInt64LittleEndian(span[9..], lastNs);
            var at = 17;
            at += WriteString(span[at..], tuple.SourceIp, sourceLength);
            at += WriteString(span[at..], tuple.DestinationIp, destinationLength);
            buffer.Advance(at);
        }

        return buffer.WrittenSpan.ToArray();
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
            var tuple = new FiveTuple(protocol, sourceIp, sourcePort, destinationIp, destinationPort);
            if (!latest.TryGetValue(tuple, out var known) || known < lastNs)
            {
                latest[tuple] = lastNs;
            }
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
