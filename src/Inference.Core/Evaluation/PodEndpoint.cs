using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation;

/// <summary>A container port as the pod spec declares it; named ports resolve through these.</summary>
public sealed record ContainerPort(string? Name, int Port, L4Protocol Protocol);

/// <summary>
/// A pod as policies see it: namespace and its labels, pod labels, declared container ports. Policies select it
/// unless it runs in the host network (then its traffic is node traffic).
/// </summary>
public sealed class PodEndpoint
{
    private static readonly string[] SyntheticPrefixes = [CiliumLabels.PodNamespace, CiliumLabels.CiliumPrefix, "io.cilium.", "reserved:"];
    private string? _identityKey;
    private IReadOnlyDictionary<string, string>? _ciliumLabels;

    public PodEndpoint(string ns, string name, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> namespaceLabels,
        IReadOnlyList<ContainerPort>? ports = null, IReadOnlyList<string>? ips = null, string? nodeName = null, string? hostIp = null,
        bool hostNetwork = false, string? serviceAccount = null)
    {
        Namespace = ns;
        Name = name;
        // hash lookups: selectors probe these on every evaluation; ordered views are built where order matters
        Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        NamespaceLabels = WithNameLabel(ns, namespaceLabels);
        Ports = ports;
        Ips = ips ?? [];
        NodeName = nodeName;
        HostIp = hostIp;
        HostNetwork = hostNetwork;
        ServiceAccount = serviceAccount;
    }

    public string Namespace { get; }

    /// <summary>Pod name; empty when only the labels are known (a flow end described by identity).</summary>
    public string Name { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Namespace labels, always with <c>kubernetes.io/metadata.name</c> (the API server sets it).</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels { get; }

    /// <summary>Declared container ports; null when unknown (named ports then never match).</summary>
    public IReadOnlyList<ContainerPort>? Ports { get; }

    public IReadOnlyList<string> Ips { get; }
    public string? NodeName { get; }
    public string? HostIp { get; }
    public bool HostNetwork { get; }
    public string? ServiceAccount { get; }

    /// <summary>
    /// A pod described by Cilium identity labels (<c>k8s:</c> prefix already stripped): the derived keys
    /// (<c>io.kubernetes.pod.namespace</c>, <c>io.cilium.k8s.namespace.labels.*</c>, ...) are split off the pod labels.
    /// </summary>
    public static PodEndpoint FromIdentityLabels(string ns, string name, IReadOnlyDictionary<string, string> allLabels,
        IReadOnlyDictionary<string, string>? namespaceLabels, IReadOnlyList<string>? ips = null)
    {
        var podLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        var nsLabels = new Dictionary<string, string>(namespaceLabels?.ToDictionary() ?? [], StringComparer.Ordinal);
        string? serviceAccount = null;
        foreach (var (rawKey, value) in allLabels)
        {
            var key = CiliumLabels.NormalizeKey(rawKey);
            if (key.StartsWith(CiliumLabels.NamespaceLabelPrefix, StringComparison.Ordinal))
            {
                nsLabels.TryAdd(key[CiliumLabels.NamespaceLabelPrefix.Length..], value);
            }
            else if (key == "io.cilium.k8s.policy.serviceaccount")
            {
                serviceAccount = value;
            }
            else if (!SyntheticPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
            {
                podLabels[key] = value;
            }
        }

        return new PodEndpoint(ns, name, podLabels, nsLabels, null, ips, serviceAccount: serviceAccount);
    }

    /// <summary>The labels Cilium's identity for this pod carries (pod labels plus the derived namespace keys).</summary>
    public IReadOnlyDictionary<string, string> CiliumIdentityLabels => _ciliumLabels ??= BuildCiliumLabels();

    /// <summary>What policy selection depends on: namespace, pod labels, namespace labels, service account.</summary>
    internal string IdentityKey => _identityKey ??= string.Join('\u0001',
        [Namespace, ServiceAccount ?? "", .. Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value), "\u0002",
            .. NamespaceLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)]);

    /// <summary>
    /// The last evaluator's selection for this pod, so repeated probes skip even the identity lookup. One immutable
    /// object, replaced whole: pods are shared by evaluators on other threads, and a two-field struct could tear
    /// (one evaluator's owner paired with another's selection).
    /// </summary>
    internal SelectionCacheEntry? SelectionCache { get; set; }

    public bool IsSamePod(PodEndpoint other) => ReferenceEquals(this, other)
        || (Name.Length > 0 && Name == other.Name && Namespace == other.Namespace);

    public override string ToString() => Name.Length > 0 ? $"{Namespace}/{Name}"
        : $"{Namespace}/[{string.Join(",", Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))}]";

    private Dictionary<string, string> BuildCiliumLabels()
    {
        var result = new Dictionary<string, string>(Labels, StringComparer.Ordinal)
        {
            [CiliumLabels.PodNamespace] = Namespace,
        };
        foreach (var (k, v) in NamespaceLabels)
        {
            result[CiliumLabels.NamespaceLabelPrefix + k] = v;
        }

        if (ServiceAccount is not null)
        {
            result["io.cilium.k8s.policy.serviceaccount"] = ServiceAccount;
        }

        return result;
    }

    internal static IReadOnlyDictionary<string, string> WithNameLabel(string ns, IReadOnlyDictionary<string, string> labels)
    {
        var result = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        result.TryAdd("kubernetes.io/metadata.name", ns);
        return result;
    }
}

/// <summary>Which evaluator computed a pod's selection, and the selection.</summary>
internal sealed record SelectionCacheEntry(object Owner, object Subject);
