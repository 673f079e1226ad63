using Inference.Core.Flows;

namespace Inference.Store.Reading;

/// <summary>A workload with the labels all its observed pods shared and its namespace's labels.</summary>
public sealed record WorkloadRecord(Peer Workload, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> NamespaceLabels,
    IReadOnlyList<string> SamplePods, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>A pod seen in flows with all its labels and its address.</summary>
public sealed record PodRecord(string Namespace, string Pod, Peer Workload, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> NamespaceLabels, string? Ip, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);
