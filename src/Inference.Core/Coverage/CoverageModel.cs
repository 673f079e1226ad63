using Inference.Core.Flows;

namespace Inference.Core.Coverage;

/// <summary>Learning: edges still appearing. Stabilizing: few new edges lately. Stable: no new edge for the configured time.</summary>
public enum CoverageStatus
{
    Learning,
    Stabilizing,
    Stable,
}

/// <summary>One day of the discovery curve: edges first seen that UTC day, and all edges known by its end.</summary>
public sealed record DiscoveryPoint(DateOnly Day, int NewEdges, int TotalEdges);

/// <summary>
/// An edge that recurs on a rhythm (hourly, daily, weekly, every N hours), or a job's edge seen in a single run whose period
/// cannot be known. Covered: at least two runs were seen and the window spans at least two periods.
/// </summary>
public sealed record PeriodicEdge(EdgeKey Edge, string Period, TimeSpan? Length, int Runs, bool Covered, string Note);

/// <summary>A sign that traffic may be missing from the window: what, where, when, said plainly.</summary>
public sealed record BlindSpot(string Kind, string Subject, DateTimeOffset? From, DateTimeOffset? To, string Detail);

/// <summary>Coverage of one scope: the cluster, a namespace (edges with an end in it) or a workload (edges it sends or receives).</summary>
public sealed record ScopeCoverage
{
    public required string Scope { get; init; }
    public required string Name { get; init; }
    public Peer? Workload { get; init; }
    public required int Edges { get; init; }
    public required long Connections { get; init; }
    public required IReadOnlyList<DiscoveryPoint> Discovery { get; init; }

    /// <summary>Edges with exactly one connection, and with traffic on one day only.</summary>
    public required int SeenOnce { get; init; }
    public required int SeenOneDay { get; init; }

    /// <summary>Good-Turing: the chance that the next connection is on an edge not seen yet (edges seen once / connections).</summary>
    public required double NewEdgeChance { get; init; }
    public DateTimeOffset? LastNewEdge { get; init; }
    public required CoverageStatus Status { get; init; }
    public required string StatusReason { get; init; }
    public required IReadOnlyList<PeriodicEdge> Periodic { get; init; }

    /// <summary>Why the window may be too short for this scope (periodic edges with fewer than two periods seen).</summary>
    public required IReadOnlyList<string> UnderCovered { get; init; }

    public double SeenOnceShare => Edges == 0 ? 0 : (double)SeenOnce / Edges;
    public double SeenOneDayShare => Edges == 0 ? 0 : (double)SeenOneDay / Edges;
    public bool IsUnderCovered => UnderCovered.Count > 0;
}
