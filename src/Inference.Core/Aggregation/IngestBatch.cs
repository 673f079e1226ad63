using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Core.Aggregation;

/// <summary>Everything one flush of an ingest stream adds to the store, written in one transaction.</summary>
public sealed class IngestBatch
{
    public required string Source { get; init; }
    public required string SourceKind { get; init; }
    public string? Address { get; init; }
    public List<EdgeBucket> Buckets { get; } = [];
    public List<EdgeSummary> Edges { get; } = [];
    public List<WorkloadObservation> Workloads { get; } = [];
    public List<PodObservation> Pods { get; } = [];
    public List<EdgeL7<DnsObservation>> Dns { get; } = [];
    public List<EdgeL7<HttpObservation>> Http { get; } = [];
    public List<LostEventRecord> LostEvents { get; } = [];
    public List<NodeStatusRecord> NodeStatuses { get; } = [];
    public List<DataGap> Gaps { get; } = [];

    /// <summary>Connections stored in this batch near the stream's end, so a resumed stream does not count them again.</summary>
    public List<(FiveTuple Tuple, long LastNs)> RecentConnections { get; } = [];

    /// <summary>Raw flow lines kept for debugging when the user asked for them (capped by the store).</summary>
    public List<(long TimeNs, string Json)> RawFlows { get; } = [];

    /// <summary>Source-specific progress (Kafka offsets, dead letters) that must commit with the data.</summary>
    public List<object> Extensions { get; } = [];

    public long FlowsRead { get; set; }
    public long Duplicates { get; set; }
    public long Ignored { get; set; }
    public long ConnectionCount { get; set; }
    public long? FirstFlowNs { get; set; }
    public long? LastFlowNs { get; set; }

    /// <summary>Where a later run must resume reading so that nothing between is missed (oldest open connection, or last flow).</summary>
    public long? ResumeFromNs { get; set; }

    public bool IsEmpty => Buckets.Count == 0 && Edges.Count == 0 && LostEvents.Count == 0 && NodeStatuses.Count == 0 && Gaps.Count == 0 && FlowsRead == 0 && Extensions.Count == 0;
}

/// <summary>Per edge, over the whole window: exact first and last seen and a few sample pods.</summary>
public sealed record EdgeSummary(EdgeKey Edge, long FirstNs, long LastNs, IReadOnlyList<string> SourcePods, IReadOnlyList<string> DestinationPods);

/// <summary>A workload seen in this batch with its stable labels, namespace labels and sample pods.</summary>
public sealed record WorkloadObservation(Peer Workload, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> NamespaceLabels,
    IReadOnlyList<string> Pods, long FirstNs, long LastNs);

/// <summary>An L7 observation on an edge with when it was seen.</summary>
public sealed record EdgeL7<T>(EdgeKey Edge, T Observation, long FirstNs, long LastNs);

/// <summary>Events a producer says it lost (Hubble <c>lost_events</c>).</summary>
public sealed record LostEventRecord(string Node, string LostSource, long Count, long? FirstNs, long? LastNs, long ObservedNs);

/// <summary>A relay's node connected / unavailable / error report.</summary>
public sealed record NodeStatusRecord(string Node, string State, string? Message, long ObservedNs);

/// <summary>A stretch of time for which data is missing (a ring buffer that no longer reached back, a dead stream).</summary>
public sealed record DataGap(string? Node, long FromNs, long ToNs, string Reason, long ObservedNs);
