using Inference.Core.Connections;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// Resolved endpoints keyed by the raw bytes of their description: every flow of a pod carries the same endpoint
/// bytes, so labels are decoded and the owner derived once per pod, not once per flow. Bounded: cleared when full.
/// <paramref name="resolve"/> gets a copy of the bytes only on a miss; it is given once, not per lookup (a method group
/// passed per call is a new delegate per call: two per flow).
/// </summary>
internal sealed class EndpointCache(Func<byte[], EndpointInfo> resolve, int capacity = 50_000)
{
    private readonly ByteKeyCache<EndpointInfo> _endpoints = new(capacity);

    /// <summary>The endpoint for these bytes.</summary>
    public EndpointInfo GetOrAdd(ReadOnlySpan<byte> raw)
    {
        if (_endpoints.TryGet(raw, out var endpoint))
        {
            return endpoint;
        }

        var key = raw.ToArray();
        endpoint = resolve(key);
        _endpoints.Add(key, endpoint);
        return endpoint;
    }
}
