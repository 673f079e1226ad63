using Inference.Core.Flows;

namespace Inference.Store.Reading;

/// <summary>An edge with its totals over the window read: the row `inference edges` prints.</summary>
public sealed record EdgeRecord(
    EdgeKey Edge,
    long Connections,
    IReadOnlyDictionary<string, long> Verdicts,
    IReadOnlyDictionary<string, long> DropReasons,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long DistinctSourcePods,
    long DistinctDestinationPods,
    IReadOnlyList<string> SampleSourcePods,
    IReadOnlyList<string> SampleDestinationPods);

/// <summary>Which edges to read.</summary>
public sealed record EdgeFilter
{
    /// <summary>Edges with either end in one of these namespaces (empty: all).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
}
