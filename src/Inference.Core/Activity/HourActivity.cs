namespace Inference.Core.Activity;

/// <summary>What one edge did in one clock hour (all ingest sources added up): connections, drops, pods, exact first/last seen.</summary>
public readonly record struct HourActivity(
    DateTimeOffset Hour,
    long Connections,
    long Dropped,
    long DistinctSourcePods,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen);
