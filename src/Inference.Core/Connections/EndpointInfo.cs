using Inference.Core.Flows;
using Inference.Core.Identity;

namespace Inference.Core.Connections;

/// <summary>
/// One observed endpoint (a pod, or a reserved identity), resolved once and shared by every event that
/// carries the same endpoint description: decoders cache these by the endpoint's raw bytes.
/// </summary>
public sealed class EndpointInfo
{
    private EndpointInfo(Peer? workload, EntityKind? entity, string? podName, string? ns,
        IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> namespaceLabels, int quality,
        IReadOnlyDictionary<string, string>? allLabels = null)
    {
        AllLabels = allLabels ?? labels;
        Workload = workload;
        Entity = entity;
        PodName = podName;
        Namespace = ns;
        Labels = labels;
        NamespaceLabels = namespaceLabels;
        Quality = quality;
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>An endpoint the source did not describe.</summary>
    public static readonly EndpointInfo Unknown = new(null, null, null, null, Empty, Empty, 0);

    /// <summary>The workload this endpoint belongs to; null for entities.</summary>
    public Peer? Workload { get; }

    /// <summary>The entity kind for non-workload ends (world ends still need the flow's IP).</summary>
    public EntityKind? Entity { get; }

    public string? PodName { get; }
    public string? Namespace { get; }

    /// <summary>Stable pod labels (volatile ones removed), sorted.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Every pod label as the source gave it, volatile ones included (what a deployed selector is evaluated against).</summary>
    public IReadOnlyDictionary<string, string> AllLabels { get; }

    /// <summary>The labels of the pod's namespace, sorted.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels { get; }

    /// <summary>How much this description says: 0 nothing, 1 identity or name only, 2 labels, 3 an owner named by the source.</summary>
    public int Quality { get; }

    public bool IsHost => Entity == EntityKind.Host;

    /// <summary>Owner, pod and labels in one string: the tie-break between two descriptions of the same end (built once, compared per event).</summary>
    internal string PreferenceKey => _preferenceKey ??= (Workload?.Key ?? "") + "|" + (PodName ?? "") + "|" + string.Join(',', AllLabels.Select(l => l.Key + "=" + l.Value));

    private string? _preferenceKey;

    /// <summary>The edge end for this endpoint at <paramref name="ip"/> with the DNS <paramref name="names"/> known for it.</summary>
    public Peer ToPeer(string ip, IEnumerable<string>? names) => Workload ?? (Entity switch
    {
        EntityKind.World or EntityKind.Private => Peer.ForEntity(Entity.Value, ip.Length == 0 ? null : ip, names),
        { } e => Peer.ForEntity(e),
        // an endpoint nobody described (field-masked flows, unmanaged addresses): the address is all we know
        null => Peer.ForEntity(EntityKind.World, ip.Length == 0 ? null : ip, names),
    });

    public static EndpointInfo ForEntity(EntityKind entity) => new(null, entity, null, null, Empty, Empty, 1);

    /// <summary>
    /// A pod: owner named by the producer (<paramref name="ownerName"/>/<paramref name="ownerKind"/>) or derived from the
    /// pod name and labels; <paramref name="rawLabels"/> are the pod's own labels, volatile ones included (the derivation reads them).
    /// </summary>
    public static EndpointInfo ForPod(string ns, string podName, IReadOnlyDictionary<string, string> rawLabels,
        IReadOnlyDictionary<string, string> namespaceLabels, string? ownerName, string? ownerKind)
    {
        var kind = ownerKind is null ? null : WorkloadOwner.ParseKind(ownerKind);
        (string Name, WorkloadKind Kind) owner;
        if (ownerName is { Length: > 0 } && kind is not null)
        {
            owner = (ownerName, kind.Value);
            if (owner.Kind == WorkloadKind.Job)
            {
                // a Job run by a CronJob is named after it; the CronJob is what outlives the run
                owner = WorkloadOwner.FromJobName(ownerName);
            }
        }
        else
        {
            owner = podName.Length > 0 ? WorkloadOwner.FromPod(podName, rawLabels) : ("", WorkloadKind.Pod);
        }

        var quality = ownerName is { Length: > 0 } && kind is not null ? 3 : rawLabels.Count > 0 ? 2 : 1;
        var nsLabels = new SortedDictionary<string, string>(namespaceLabels.ToDictionary(), StringComparer.Ordinal);
        return new EndpointInfo(Peer.ForWorkload(ns, owner.Name, owner.Kind), null, podName.Length > 0 ? podName : null, ns,
            VolatileLabels.Stable(rawLabels), nsLabels, quality,
            new SortedDictionary<string, string>(rawLabels.ToDictionary(), StringComparer.Ordinal));
    }
}
