namespace Inference.Core.Activity;

/// <summary>
/// The time an ingest source (or one run of it) holds flows for: its first and last flow, and every clock hour each node
/// sent flows in. Two sources that hold the same node's flows in the same time hold the same traffic, unless they were
/// filtered differently.
/// </summary>
public sealed record CoveredTime(string Source, string Kind, long FirstNs, long LastNs, IReadOnlySet<(string Node, long HourNs)> NodeHours);

/// <summary>
/// Time a run holds flows for that an earlier source already held from the same nodes, where nothing recognised the
/// connections both saw: if both are the same traffic, those connections are counted twice.
/// </summary>
public sealed record SharedCoverage(string Source, long FromNs, long ToNs, IReadOnlyList<string> Nodes, long SourceLastNs)
{
    /// <summary>The earlier source's last flow: where a run that continues it should start.</summary>
    public DateTimeOffset SourceLast => At(SourceLastNs);

    public DateTimeOffset From => At(FromNs);

    public DateTimeOffset To => At(ToNs);

    private static DateTimeOffset At(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
}
