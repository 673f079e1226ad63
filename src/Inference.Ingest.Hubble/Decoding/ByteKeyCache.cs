using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// Values keyed by the exact bytes they were decoded from (strings, endpoints), for keys that repeat in every flow.
/// A small direct-mapped table answers most lookups after hashing a few words of the key (its start, middle and end)
/// and comparing the whole key; a miss falls through to a dictionary hashed over every byte, so keys that
/// share those bytes cost a fallback, never a wrong answer. Bounded: cleared when full. Not thread-safe.
/// </summary>
internal sealed class ByteKeyCache<T>(int capacity)
    where T : class
{
    private const int SlotBits = 12;
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;
    private readonly Slot[] _slots = new Slot[1 << SlotBits];
    private readonly Dictionary<byte[], T> _all = new(ByteKeyComparer.Instance);

    public bool TryGet(ReadOnlySpan<byte> key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value)
    {
        ref var slot = ref _slots[SlotOf(key)];
        if (slot.Key is { } cached && key.SequenceEqual(cached))
        {
            value = slot.Value!;
            return true;
        }

        if (_all.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out var actual, out value))
        {
            slot = new Slot(actual, value);
            return true;
        }

        return false;
    }

    /// <summary>Adds a value under a key the caller no longer changes.</summary>
    public void Add(byte[] key, T value)
    {
        if (_all.Count >= capacity)
        {
            _all.Clear();
            Array.Clear(_slots);
        }

        _all[key] = value;
        _slots[SlotOf(key)] = new Slot(key, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SlotOf(ReadOnlySpan<byte> key)
    {
        // a protobuf endpoint starts with its ID and identity, a JSON one with `{"ID":`: with its middle (labels) and
        // end (pod and owner names) that tells endpoints apart; a key under 16 bytes (an address) is read whole
        ulong a = 0, b = 0;
        var n = key.Length;
        ref var p = ref MemoryMarshal.GetReference(key);
        if (n >= 16)
        {
            a = Unsafe.ReadUnaligned<ulong>(ref p) ^ (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, 8)) * 0x9E3779B97F4A7C15UL);
            b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8)) ^ (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n / 2)) * 0xFF51AFD7ED558CCDUL);
        }
        else if (n >= 8)
        {
            a = Unsafe.ReadUnaligned<ulong>(ref p);
            b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8));
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                a = (a << 8) | Unsafe.Add(ref p, i);
            }
        }

        var h = ((a ^ Seed) * 0x9E3779B97F4A7C15UL) ^ ((b + (ulong)n) * 0xC2B2AE3D27D4EB4FUL);
        return (int)((h ^ (h >> 29)) >> (64 - SlotBits));
    }

    private readonly record struct Slot(byte[]? Key, T? Value);
}
