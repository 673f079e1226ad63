using Inference.Core.Connections;
using Inference.Core.Flows;
using Inference.Core.Identity;

namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Turns Calico endpoints into the shared edge ends: <c>wep</c> a workload (owner from the aggregated name and labels),
/// <c>net</c> world (<c>pub</c>) or private (<c>pvt</c>) keyed by IP where present, else by <c>dest_domains</c>,
/// <c>ns</c> a network set, <c>hep</c> a host endpoint. Resolutions are cached: a cluster has few distinct endpoints.
/// </summary>
internal sealed class EndpointResolver
{
    private const int MaxCached = 100_000;
    private static readonly HashSet<string> OwnerHints = new(StringComparer.Ordinal)
    {
        "pod-template-hash", "job-name", "batch.kubernetes.io/job-name", "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index", "pod-template-generation", "controller-revision-hash",
    };

    private readonly Dictionary<(EndpointType, string, string, string?, string?, IReadOnlyList<string>, IReadOnlyList<string>), (Peer Peer, EndpointInfo? Info)> _cache = [];

    public (Peer Peer, EndpointInfo? Info) Resolve(CalicoEndpoint e)
    {
        // the parser hands out one string and one list instance per distinct text, so the key compares cheaply
        var key = (e.Type, e.Namespace, e.NameAggr, e.Name, e.Ip, e.Labels, e.Domains);
        if (_cache.TryGetValue(key, out var hit))
        {
            return hit;
        }

        if (e.Type != EndpointType.Workload)
        {
            var entity = (Entity(e), (EndpointInfo?)null);
            _cache[key] = entity;
            return entity;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in e.Labels)
        {
            var eq = label.IndexOf('=', StringComparison.Ordinal);
            labels[eq < 0 ? label : label[..eq]] = eq < 0 ? "" : label[(eq + 1)..];
        }

        // labels that name an owner decide; otherwise the aggregated name's shape (redis-0, report-29390400-*) does
        var (owner, kind) = labels.Keys.Any(OwnerHints.Contains) ? WorkloadOwner.FromPod(e.NameAggr, labels) : WorkloadOwner.FromNameOnly(e.NameAggr);
        var info = EndpointInfo.ForPod(e.Namespace, e.Name ?? "", labels, new Dictionary<string, string>(), owner, kind.ToString());
        var result = (info.Workload!, (EndpointInfo?)info);
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[key] = result;
        return result;
    }

    private static Peer Entity(CalicoEndpoint e) => e.Type switch
    {
        // Felix: pvt for RFC 1918 addresses, pub for the rest
        EndpointType.Network => Peer.ForEntity(e.NameAggr == "pvt" ? EntityKind.Private : EntityKind.World, e.Ip, e.Domains),
        EndpointType.NetworkSet => Peer.ForEntity(EntityKind.NetworkSet, name: e.Namespace is "-" or "" ? e.NameAggr : $"{e.Namespace}/{e.NameAggr}"),
        _ => Peer.ForEntity(EntityKind.HostEndpoint, name: e.NameAggr),
    };
}
