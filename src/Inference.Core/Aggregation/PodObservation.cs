using Inference.Core.Flows;

namespace Inference.Core.Aggregation;

/// <summary>A pod seen in flows: its workload, every label it carried, its address (what a policy snapshot needs).</summary>
public sealed record PodObservation(Peer Workload, string Namespace, string Pod, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> NamespaceLabels, string? Ip, long FirstNs, long LastNs);
