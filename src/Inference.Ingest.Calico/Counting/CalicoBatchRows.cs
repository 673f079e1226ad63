using Inference.Core.Flows;

namespace Inference.Ingest.Calico.Counting;

/// <summary>The Calico rows a batch carries in <c>IngestBatch.Extensions</c>, written in the batch's transaction.</summary>
public sealed class CalicoBatchRows
{
    public required string Source { get; init; }
    public List<PartitionProgress> Offsets { get; } = [];
    public List<DeadLetter> DeadLetters { get; } = [];
    internal List<IntervalRow> Intervals { get; } = [];
    internal List<EdgePolicyRow> Policies { get; } = [];
}

/// <summary>Everything before <paramref name="NextOffset"/> of a partition is in the store.</summary>
public sealed record PartitionProgress(string Topic, int Partition, long NextOffset);

/// <summary>A message (or one line of it) that could not be read, with where it is and why.</summary>
public sealed record DeadLetter(string Topic, int Partition, long Offset, int Line, string Reason, string Excerpt, long ObservedNs);

/// <summary>The per-reporter counts of one edge and bucket after this batch (replaces the stored row, or is the first).</summary>
internal sealed record IntervalRow(string Edge, long BucketNs, long[] Counts, bool IsNew);

/// <summary>One direction's policy decision on an edge: enforced and pending traces, counted per reporter record.</summary>
internal sealed class EdgePolicyRow
{
    public required string Edge { get; init; }
    public required EdgeKey Key { get; init; }
    public required string Direction { get; init; }
    public required string EnforcedAction { get; init; }
    public required string EnforcedTrace { get; init; }
    public required string? EnforcedBy { get; init; }
    public required string PendingAction { get; init; }
    public required string PendingTrace { get; init; }
    public required string? PendingBy { get; init; }
    public required Verdict Verdict { get; init; }
    public long Connections { get; set; }
    public long Records { get; set; }
    public long FirstNs { get; set; } = long.MaxValue;
    public long LastNs { get; set; } = long.MinValue;
}
