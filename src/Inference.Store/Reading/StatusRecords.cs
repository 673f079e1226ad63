namespace Inference.Store.Reading;

/// <summary>One ingest source's progress.</summary>
public sealed record SourceStatus(string Source, string Kind, string? Address, long FlowsRead, long Duplicates, long Ignored,
    long Connections, long Edges, DateTimeOffset? FirstFlow, DateTimeOffset? LastFlow, DateTimeOffset UpdatedAt);

public sealed record LostEventsStatus(string Source, string Node, string LostSource, long Count, DateTimeOffset? FirstLost, DateTimeOffset? LastLost, DateTimeOffset ObservedAt);

public sealed record NodeStatusEntry(string Source, string Node, string State, string? Message, DateTimeOffset ObservedAt);

public sealed record DataGapEntry(string Source, string? Node, DateTimeOffset From, DateTimeOffset To, string Reason, DateTimeOffset ObservedAt);

/// <summary>What `inference status` shows: per source progress and every sign of missing data.</summary>
public sealed record StoreStatus(
    int SchemaVersion,
    IReadOnlyList<SourceStatus> Sources,
    IReadOnlyList<LostEventsStatus> LostEvents,
    IReadOnlyList<NodeStatusEntry> UnavailableNodes,
    IReadOnlyList<DataGapEntry> Gaps);

/// <summary>Where a source resumes, and the connections it already stored near there.</summary>
public sealed record ResumeState(long? ResumeFromNs, long? LastFlowNs, IReadOnlyList<(Core.Connections.FiveTuple Tuple, long LastNs)> RecentConnections);
