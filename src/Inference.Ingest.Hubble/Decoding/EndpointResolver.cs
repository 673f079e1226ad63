using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>
/// Turns a Hubble endpoint (identity, namespace, <c>source:key=value</c> labels, pod name, workloads) into who it is:
/// a reserved entity, or a pod of a workload with its pod and namespace labels.
/// </summary>
public static class EndpointResolver
{
    private const string NamespaceLabelPrefix = "io.cilium.k8s.namespace.labels.";

    public static EndpointInfo Resolve(uint identity, string ns, IReadOnlyList<string> labels, string podName, string? workloadName, string? workloadKind)
    {
        var entity = ReservedEntity(labels, identity);
        var isPod = ns.Length > 0 && podName.Length > 0;
        if (entity is { } e && !(isPod && e is EntityKind.World))
        {
            // a world identity that still names a pod is a pod whose identity was not resolved on that node
            return EndpointInfo.ForEntity(e);
        }

        if (!isPod)
        {
            return entity is { } world ? EndpointInfo.ForEntity(world) : labels.Count == 0 && identity == 0 ? EndpointInfo.Unknown : EndpointInfo.ForEntity(EntityKind.World);
        }

        var podLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        var nsLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            if (!label.StartsWith("k8s:", StringComparison.Ordinal))
            {
                continue;
            }

            var (key, value) = Split(label.AsSpan(4));
            if (key.StartsWith(NamespaceLabelPrefix, StringComparison.Ordinal))
            {
                nsLabels[key[NamespaceLabelPrefix.Length..]] = value;
            }
            else if (key != "io.kubernetes.pod.namespace" && !key.StartsWith("io.cilium.k8s.policy.", StringComparison.Ordinal))
            {
                podLabels[key] = value;
            }
        }

        // every namespace carries this label since Kubernetes 1.21; flows of older agents or field masks may lack it
        nsLabels.TryAdd("kubernetes.io/metadata.name", ns);
        return EndpointInfo.ForPod(ns, podName, podLabels, nsLabels, workloadName, workloadKind);
    }

    /// <summary>The reserved entity an endpoint's labels (or, field-masked, its numeric identity) name; null for pods.</summary>
    public static EntityKind? ReservedEntity(IReadOnlyList<string> labels, uint identity)
    {
        EntityKind? found = null;
        foreach (var label in labels)
        {
            if (label.StartsWith("reserved:", StringComparison.Ordinal))
            {
                EntityKind? e = label.AsSpan(9) switch
                {
                    "kube-apiserver" => EntityKind.KubeApiserver,
                    "host" => EntityKind.Host,
                    "remote-node" => EntityKind.RemoteNode,
                    "health" => EntityKind.Health,
                    "ingress" => EntityKind.Ingress,
                    "world" or "world-ipv4" or "world-ipv6" => EntityKind.World,
                    _ => null,
                };
                // kube-apiserver comes with host or remote-node; it is the more specific one
                if (e is not null && (found is null || e == EntityKind.KubeApiserver))
                {
                    found = e;
                }
            }
            else if (label.StartsWith("cidr:", StringComparison.Ordinal) || label.StartsWith("fqdn:", StringComparison.Ordinal))
            {
                found ??= EntityKind.World;
            }
        }

        if (found is not null || labels.Count > 0)
        {
            return found;
        }

        return identity switch
        {
            1 => EntityKind.Host,
            2 or 9 or 10 => EntityKind.World,
            4 => EntityKind.Health,
            6 => EntityKind.RemoteNode,
            7 => EntityKind.KubeApiserver,
            8 => EntityKind.Ingress,
            >= 1 << 24 => EntityKind.World,
            _ => null,
        };
    }

    private static (string Key, string Value) Split(ReadOnlySpan<char> keyValue)
    {
        var eq = keyValue.IndexOf('=');
        return eq < 0 ? (keyValue.ToString(), "") : (keyValue[..eq].ToString(), keyValue[(eq + 1)..].ToString());
    }
}
