using System.Numerics;
using System.Runtime.Intrinsics;

namespace Inference.Ingest.Hubble.Json;

/// <summary>
/// Finds where a JSON object ends without tokenising what is inside: 64 bytes at a time, bit masks of quotes,
/// backslashes and brackets (the technique of simdjson's stage 1) give the brackets outside strings, and only those are
/// counted. Used only for endpoint objects, whose bytes are then either identical to ones already parsed and
/// validated (the endpoint cache hit) or parsed in full (a miss), so nothing unchecked is ever used.
/// </summary>
internal static class JsonObjectEnd
{
    private const ulong EvenBits = 0x5555555555555555UL;

    /// <summary>The index just past the bracket closing the object or array at <paramref name="start"/>; -1 if it is not closed.</summary>
    public static int Find(ReadOnlySpan<byte> json, int start)
    {
        Span<byte> tail = stackalloc byte[64];
        var depth = 0;
        ulong previousEscaped = 0, previousInString = 0;
        for (var blockStart = start; blockStart < json.Length; blockStart += 64)
        {
            scoped ReadOnlySpan<byte> block = json[blockStart..];
            if (block.Length < 64)
            {
                // the last bytes, padded with spaces (which are nothing structural)
                tail.Fill((byte)' ');
                block.CopyTo(tail);
                block = tail;
            }

            var backslash = Mask(block, (byte)'\\');
            var quotes = Mask(block, (byte)'"');
            var open = Mask(block, (byte)'{') | Mask(block, (byte)'[');
            var close = Mask(block, (byte)'}') | Mask(block, (byte)']');

            // characters escaped by an odd run of backslashes (a run may continue from the previous block)
            backslash &= ~previousEscaped;
            var followsEscape = (backslash << 1) | previousEscaped;
            var oddStarts = backslash & ~EvenBits & ~followsEscape;
            var sequencesOnEven = oddStarts + backslash;
            previousEscaped = sequencesOnEven < oddStarts ? 1UL : 0UL;
            var escaped = (EvenBits ^ (sequencesOnEven << 1)) & followsEscape;
            quotes &= ~escaped;

            // inside a string: everything from an opening quote up to (not including) its closing one
            var inString = PrefixXor(quotes) ^ previousInString;
            previousInString = (ulong)((long)inString >> 63);
            open &= ~inString;
            close &= ~inString;

            var brackets = open | close;
            while (brackets != 0)
            {
                var bit = BitOperations.TrailingZeroCount(brackets);
                brackets &= brackets - 1;
                if ((open >> bit & 1) != 0)
                {
                    depth++;
                }
                else if (--depth == 0)
                {
                    var end = blockStart + bit + 1;
                    return end <= json.Length ? end : -1;
                }
                else if (depth < 0)
                {
                    return -1;
                }
            }
        }

        return -1;
    }

    private static ulong Mask(ReadOnlySpan<byte> block, byte value)
    {
        var low = Vector256.Equals(Vector256.Create(block), Vector256.Create(value)).ExtractMostSignificantBits();
        var high = Vector256.Equals(Vector256.Create(block[32..]), Vector256.Create(value)).ExtractMostSignificantBits();
        return low | ((ulong)high << 32);
    }

    /// <summary>Bit i is the xor of bits 0..i: set between each opening quote and the quote closing it.</summary>
    private static ulong PrefixXor(ulong bits)
    {
        bits ^= bits << 1;
        bits ^= bits << 2;
        bits ^= bits << 4;
        bits ^= bits << 8;
        bits ^= bits << 16;
        bits ^= bits << 32;
        return bits;
    }
}
