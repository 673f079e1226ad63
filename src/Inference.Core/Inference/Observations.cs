using Inference.Core.Flows;

namespace Inference.Core.Inference;

/// <summary>An observed edge with its totals over the window (what the store's edge read model gives).</summary>
public sealed record ObservedEdge(
    EdgeKey Edge,
    long Connections,
    IReadOnlyDictionary<string, long> Verdicts,
    IReadOnlyDictionary<string, long> DropReasons,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long DistinctSourcePods)
{
    /// <summary>Connections the cluster let through: forwarded, audited (would-deny under audit) or redirected through a proxy.</summary>
    public long Allowed => Count("FORWARDED") + Count("AUDIT") + Count("REDIRECTED");

    public long Dropped => Count("DROPPED");

    /// <summary>Kubelet probes and other traffic from the node itself: always allowed, never a rule.</summary>
    public bool IsHostProbe => Edge.Source.Entity == EntityKind.Host;

    private long Count(string verdict) => Verdicts.TryGetValue(verdict, out var n) ? n : 0;
}

/// <summary>A workload with the stable labels all its observed pods shared, and its namespace's labels.</summary>
public sealed record ObservedWorkload(Peer Workload, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> NamespaceLabels);

/// <summary>A pod seen in flows with every label it carried (volatile ones included).</summary>
public sealed record ObservedPod(Peer Workload, string Namespace, string Name, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> NamespaceLabels, string? Ip);

/// <summary>HTTP requests seen on an edge.</summary>
public sealed record ObservedHttp(EdgeKey Edge, string Method, string Path, long Count);

/// <summary>A DNS query seen on an edge: marks the edge as DNS whatever its port (OpenShift's resolver listens on 5353).</summary>
public sealed record ObservedDns(EdgeKey Edge, string Query);

/// <summary>Everything a suggestion is computed from. Order does not matter: the suggester sorts.</summary>
public sealed record Observations(
    IReadOnlyList<ObservedEdge> Edges,
    IReadOnlyList<ObservedWorkload> Workloads,
    IReadOnlyList<ObservedPod> Pods,
    IReadOnlyList<ObservedHttp> Http,
    IReadOnlyList<ObservedDns> Dns);
