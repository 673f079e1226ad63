namespace Inference.Ingest.Calico.Records;

/// <summary>
/// One <see cref="CalicoEndpoint"/> instance per distinct endpoint on a parsing thread (a cluster has a few hundred), so
/// the counter finds an edge by the instances' identity instead of hashing names for every record. Bounded: cleared when full.
/// </summary>
internal static class EndpointCache
{
    private const int Capacity = 50_000;

    [ThreadStatic]
    private static Dictionary<(EndpointType, string, string, string?, string?, IReadOnlyList<string>, IReadOnlyList<string>), CalicoEndpoint>? t_endpoints;

    /// <remarks>The parsers hand out one list instance per distinct list, so lists compare by identity here.</remarks>
    public static CalicoEndpoint Get(EndpointType type, string ns, string nameAggr, string? name, string? ip, IReadOnlyList<string> labels, IReadOnlyList<string> domains)
    {
        var cache = t_endpoints ??= [];
        var key = (type, ns, nameAggr, name, ip, labels, domains);
        if (!cache.TryGetValue(key, out var endpoint))
        {
            if (cache.Count >= Capacity)
            {
                cache.Clear();
            }

            endpoint = new CalicoEndpoint(type, ns, nameAggr, name, ip, labels, domains);
            cache[key] = endpoint;
        }

        return endpoint;
    }
}
