using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Core.Diff.Ends;

/// <summary>
/// The pods an edge's ends are evaluated as. A workload is tried as each distinct pod seen for it (label set and
/// declared ports), taken from the kubectl snapshot when it has the pod (so named ports resolve) and otherwise from
/// the labels the flows carried; a workload with no pod record falls back to its shared labels.
/// </summary>
internal sealed class WorkloadEnds
{
    public const int MaxVariants = 16;

    private readonly Dictionary<Peer, List<PodEndpoint>> _pods = [];
    private readonly Dictionary<(Peer, bool), IReadOnlyList<ConnectionEnd>> _cache = [];
    private readonly ClusterSnapshot? _cluster;

    public WorkloadEnds(Observations observed, ClusterSnapshot? cluster)
    {
        _cluster = cluster;
        var seen = new Dictionary<Peer, HashSet<string>>();
        void Add(Peer owner, PodEndpoint pod)
        {
            if (!seen.TryGetValue(owner, out var keys))
            {
                seen[owner] = keys = new HashSet<string>(StringComparer.Ordinal);
                _pods[owner] = [];
            }

            // pods differing only by name decide the same way: keep one of each label set and port list
            var ports = pod.Ports is null ? "?" : string.Join(",", pod.Ports.Select(p => $"{p.Name}:{p.Port}/{p.Protocol.ToWire()}").Order(StringComparer.Ordinal));
            if (keys.Add(pod.IdentityKey + "\u0003" + ports))
            {
                _pods[owner].Add(pod);
            }
        }

        foreach (var p in observed.Pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var pod = cluster?.FindPod(p.Namespace, p.Name)
                ?? PodEndpoint.FromIdentityLabels(p.Namespace, p.Name, p.Labels, NamespaceLabels(p.Namespace, p.NamespaceLabels), p.Ip is { Length: > 0 } ip ? [ip] : null);
            Add(p.Workload, pod);
        }

        foreach (var w in observed.Workloads.OrderBy(w => w.Workload))
        {
            if (!_pods.ContainsKey(w.Workload) && w.Workload.IsWorkload)
            {
                Add(w.Workload, PodEndpoint.FromIdentityLabels(w.Workload.Namespace!, w.Workload.Workload!, w.Labels, NamespaceLabels(w.Workload.Namespace!, w.NamespaceLabels)));
            }
        }
    }

    /// <summary>Workloads with more distinct pods than are tried.</summary>
    public IEnumerable<(Peer Workload, int Variants)> Capped() =>
        _pods.Where(kv => kv.Value.Count > MaxVariants).Select(kv => (kv.Key, kv.Value.Count)).OrderBy(x => x.Key);

    /// <summary>The pods of a workload as policies see them (empty for entities).</summary>
    public IReadOnlyList<PodEndpoint> Pods(Peer peer) =>
        _pods.TryGetValue(peer, out var pods) ? pods.Take(MaxVariants).ToList() : peer.IsWorkload ? [Unknown(peer)] : [];

    /// <summary>
    /// The ends to try for <paramref name="peer"/>. Destination pods of a workload talking to itself are renamed, so the
    /// evaluator does not take two replicas for one pod talking to itself.
    /// </summary>
    public IReadOnlyList<ConnectionEnd> For(Peer peer, bool rename = false)
    {
        if (_cache.TryGetValue((peer, rename), out var cached))
        {
            return cached;
        }

        IReadOnlyList<ConnectionEnd> result = peer.IsWorkload
            ? [.. Pods(peer).Select(p => ConnectionEnd.ForPod(rename ? Renamed(p) : p))]
            : [Entity(peer)];
        _cache[(peer, rename)] = result;
        return result;
    }

    public static string Describe(ConnectionEnd end) => end.Kind == EndKind.Pod ? end.Pod!.ToString() : end.ToString();

    private IReadOnlyDictionary<string, string> NamespaceLabels(string ns, IReadOnlyDictionary<string, string> fromFlows) =>
        _cluster is not null && _cluster.Namespaces.TryGetValue(ns, out var labels) ? labels : fromFlows;

    private PodEndpoint Unknown(Peer peer) =>
        new(peer.Namespace!, peer.Workload!, new Dictionary<string, string>(), NamespaceLabels(peer.Namespace!, new Dictionary<string, string>()));

    private static PodEndpoint Renamed(PodEndpoint p) =>
        new(p.Namespace, p.Name + "~peer", p.Labels, p.NamespaceLabels, p.Ports, p.Ips, p.NodeName, p.HostIp, p.HostNetwork, p.ServiceAccount);

    private static ConnectionEnd Entity(Peer peer) => peer.Entity!.Value switch
    {
        EntityKind.World or EntityKind.Private => ConnectionEnd.ForExternal(peer.Ip ?? "", peer.Names),
        EntityKind.Host or EntityKind.RemoteNode => ConnectionEnd.ForNode(peer.Entity.Value),
        var e => ConnectionEnd.ForEntity(e, peer.Ip),
    };
}
