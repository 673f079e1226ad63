using Inference.Core.Flows;

namespace Inference.Core.Aggregation;

/// <summary>What one edge did in one time bucket: connections per verdict, drop reasons, distinct pods.</summary>
public sealed class EdgeBucket(EdgeKey edge, long bucketStartNs)
{
    public EdgeKey Edge { get; } = edge;
    public long BucketStartNs { get; } = bucketStartNs;
    public long Connections { get; set; }
    public long Forwarded { get; set; }
    public long Audit { get; set; }
    public long Dropped { get; set; }
    public long Redirected { get; set; }
    public long Other { get; set; }
    public SortedDictionary<string, long> DropReasons { get; } = new(StringComparer.Ordinal);
    public DistinctSketch SourcePods { get; set; } = new();
    public DistinctSketch DestinationPods { get; set; } = new();
    public long FirstNs { get; set; } = long.MaxValue;
    public long LastNs { get; set; } = long.MinValue;

    public void Count(Verdict verdict, long count, string? dropReason)
    {
        Connections += count;
        switch (verdict)
        {
            case Verdict.Forwarded: Forwarded += count; break;
            case Verdict.Audit: Audit += count; break;
            case Verdict.Dropped:
                Dropped += count;
                var reason = dropReason ?? "UNKNOWN";
                DropReasons[reason] = DropReasons.GetValueOrDefault(reason) + count;
                break;
            case Verdict.Redirected: Redirected += count; break;
            default: Other += count; break;
        }
    }

    /// <summary>Adds another bucket's counts for the same edge and time (an earlier flush, a redelivery merged by max elsewhere).</summary>
    public void Merge(EdgeBucket other)
    {
        Connections += other.Connections;
        Forwarded += other.Forwarded;
        Audit += other.Audit;
        Dropped += other.Dropped;
        Redirected += other.Redirected;
        Other += other.Other;
        foreach (var (reason, count) in other.DropReasons)
        {
            DropReasons[reason] = DropReasons.GetValueOrDefault(reason) + count;
        }

        SourcePods.Merge(other.SourcePods);
        DestinationPods.Merge(other.DestinationPods);
        FirstNs = Math.Min(FirstNs, other.FirstNs);
        LastNs = Math.Max(LastNs, other.LastNs);
    }
}
