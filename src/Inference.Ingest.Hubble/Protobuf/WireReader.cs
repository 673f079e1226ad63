using System.Runtime.CompilerServices;

namespace Inference.Ingest.Hubble.Protobuf;

/// <summary>A minimal protobuf wire-format reader over a span: tags, varints, length-delimited fields, skipping.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>Reads the next tag: field number and wire type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        // tags, lengths and most numbers in a flow fit in one or two bytes: read those without the general loop
        var position = _position;
        var buffer = _buffer;
        if ((uint)position < (uint)buffer.Length)
        {
            uint b0 = buffer[position];
            if (b0 < 0x80)
            {
                _position = position + 1;
                return b0;
            }

            if ((uint)(position + 1) < (uint)buffer.Length)
            {
                uint b1 = buffer[position + 1];
                if (b1 < 0x80)
                {
                    _position = position + 2;
                    return (b0 & 0x7F) | (b1 << 7);
                }
            }
        }

        return ReadVarintSlow();
    }

    private ulong ReadVarintSlow()
    {
        // timestamps, identities and endpoint IDs take three to five bytes: work in locals, not through the field
        var buffer = _buffer;
        var position = _position;
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if ((uint)position >= (uint)buffer.Length)
            {
                throw new Decoding.HubbleDecodeException("truncated varint");
            }

            ulong b = buffer[position++];
            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                _position = position;
                return result;
            }
        }

        throw new Decoding.HubbleDecodeException("malformed varint");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
        {
            throw new Decoding.HubbleDecodeException("length-delimited field runs past the end of the message");
        }

        var slice = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Advance(8); break;
            case 2: ReadBytes(); break;
            case 5: Advance(4); break;
            default: throw new Decoding.HubbleDecodeException($"unsupported wire type {wireType}");
        }
    }

    private void Advance(int count)
    {
        if (_position + count > _buffer.Length)
        {
            throw new Decoding.HubbleDecodeException("truncated fixed-size field");
        }

        _position += count;
    }
}
