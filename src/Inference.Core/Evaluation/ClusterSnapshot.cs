using Inference.Core.Flows;

namespace Inference.Core.Evaluation;

/// <summary>
/// The cluster as policies see it: namespaces with labels and pods with labels, IPs and ports. Resolves addresses:
/// a pod IP is that pod, a node (host) IP is a node, anything else is external.
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly Dictionary<string, PodEndpoint> _podsByIp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodesByIp = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Ns, string Name), PodEndpoint> _podsByName = [];

    private ClusterSnapshot(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> namespaces, IReadOnlyList<PodEndpoint> pods)
    {
        Namespaces = namespaces;
        Pods = pods;
        foreach (var pod in pods)
        {
            _podsByName[(pod.Namespace, pod.Name)] = pod;
            if (pod.HostIp is not null && pod.NodeName is not null)
            {
                _nodesByIp.TryAdd(pod.HostIp, pod.NodeName);
            }

            if (pod.HostNetwork)
            {
                continue;
            }

            foreach (var ip in pod.Ips)
            {
                _podsByIp.TryAdd(ip, pod);
            }
        }
    }

    public static ClusterSnapshot Empty { get; } = Create([], []);

    /// <summary>Namespace name to its labels (with <c>kubernetes.io/metadata.name</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Namespaces { get; }

    public IReadOnlyList<PodEndpoint> Pods { get; }

    /// <summary>
    /// Builds a snapshot. A pod's namespace labels come from <paramref name="namespaces"/> when the namespace is listed there
    /// (so pods can be given with empty namespace labels).
    /// </summary>
    public static ClusterSnapshot Create(IEnumerable<KeyValuePair<string, IReadOnlyDictionary<string, string>>> namespaces, IEnumerable<PodEndpoint> pods)
    {
        var ns = new SortedDictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, labels) in namespaces)
        {
            ns[name] = PodEndpoint.WithNameLabel(name, labels);
        }

        var resolved = new List<PodEndpoint>();
        foreach (var pod in pods)
        {
            var p = pod;
            if (ns.TryGetValue(pod.Namespace, out var nsLabels))
            {
                p = new PodEndpoint(pod.Namespace, pod.Name, pod.Labels, nsLabels, pod.Ports, pod.Ips, pod.NodeName, pod.HostIp, pod.HostNetwork, pod.ServiceAccount);
            }
            else
            {
                ns[pod.Namespace] = pod.NamespaceLabels;
            }

            resolved.Add(p);
        }

        return new ClusterSnapshot(ns, resolved);
    }

    public PodEndpoint? FindPod(string ns, string name) => _podsByName.GetValueOrDefault((ns, name));

    /// <summary>The pod or node at <paramref name="ip"/>; null when the snapshot does not know the address.</summary>
    public ConnectionEnd? Resolve(string ip)
    {
        if (_podsByIp.TryGetValue(ip, out var pod))
        {
            return ConnectionEnd.ForPod(pod, ip);
        }

        return _nodesByIp.TryGetValue(ip, out var node) ? ConnectionEnd.ForNode(EntityKind.Host, ip, node) : null;
    }

    /// <summary>An address: the snapshot's pod or node, else external.</summary>
    public ConnectionEnd ResolveOrExternal(string ip) => Resolve(ip) ?? ConnectionEnd.ForExternal(ip);

    /// <summary>The labels of namespace <paramref name="ns"/>, or just its name label when it is unknown.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels(string ns) =>
        Namespaces.GetValueOrDefault(ns) ?? PodEndpoint.WithNameLabel(ns, new Dictionary<string, string>());

    internal static L4Protocol ParseProtocol(string? text) => text is null ? L4Protocol.Tcp : L4ProtocolNames.TryParse(text, out var p) ? p : L4Protocol.Unknown;
}
