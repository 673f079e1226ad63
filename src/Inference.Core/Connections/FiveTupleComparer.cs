using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Inference.Core.Connections;

/// <summary>
/// Hashes a 5-tuple by reading its addresses eight bytes at a time, seeded per process. The tracker looks up one or two
/// tuples per event, and the default hash (randomized Marvin over each address, then a combine) cost more than the
/// lookups themselves; the seed keeps addresses in untrusted flows from being crafted to share a bucket.
/// </summary>
internal sealed class FiveTupleComparer : IEqualityComparer<FiveTuple>
{
    public static readonly FiveTupleComparer Instance = new();
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    public bool Equals(FiveTuple x, FiveTuple y) => x.Equals(y);

    public int GetHashCode(FiveTuple tuple)
    {
        var h = Seed ^ ((ulong)tuple.Protocol << 56) ^ ((ulong)(uint)tuple.SourcePort << 24) ^ (uint)tuple.DestinationPort;
        h = Mix(h ^ Address(tuple.SourceIp));
        h = Mix(h ^ (Address(tuple.DestinationIp) * 0xC2B2AE3D27D4EB4FUL));
        return (int)(h ^ (h >> 32));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h)
    {
        h *= 0x9E3779B97F4A7C15UL;
        return h ^ (h >> 29);
    }

    private static ulong Address(string address)
    {
        var bytes = MemoryMarshal.AsBytes(address.AsSpan());
        ref var p = ref MemoryMarshal.GetReference(bytes);
        var n = bytes.Length;
        var h = Seed + (ulong)n;
        if (n < 8)
        {
            for (var i = 0; i < n; i++)
            {
                h = (h << 8) ^ Unsafe.Add(ref p, i);
            }

            return Mix(h);
        }

        for (var i = 0; i + 8 <= n; i += 8)
        {
            h = Mix(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, i)));
        }

        // the last eight bytes, overlapping what the loop read when the length is not a multiple of eight
        return Mix(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref p, n - 8)));
    }
}
