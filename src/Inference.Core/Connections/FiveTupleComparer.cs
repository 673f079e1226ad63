using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Inference.Core.Connections;

/// <summary>
/// Hashes a 5-tuple with XxHash3 over its addresses, seeded per process. The tracker looks up one or two tuples per
/// event, and the default hash (randomized Marvin over each address, then a combine) cost more than the lookups
/// themselves; the seed keeps addresses in untrusted flows from being crafted to share a bucket.
/// </summary>
internal sealed class FiveTupleComparer : IEqualityComparer<FiveTuple>
{
    public static readonly FiveTupleComparer Instance = new();
    private static readonly long Seed = Random.Shared.NextInt64();

    public bool Equals(FiveTuple x, FiveTuple y) => x.Equals(y);

    public int GetHashCode(FiveTuple tuple)
    {
        var h = (ulong)Seed ^ ((ulong)tuple.Protocol << 56) ^ ((ulong)(uint)tuple.SourcePort << 24) ^ (uint)tuple.DestinationPort;
        h ^= Address(tuple.SourceIp);
        h ^= Address(tuple.DestinationIp) * 0x9E3779B97F4A7C15UL;
        h *= 0xC2B2AE3D27D4EB4FUL;
        return (int)(h ^ (h >> 32));
    }

    private static ulong Address(string address) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(address.AsSpan()), Seed);
}
