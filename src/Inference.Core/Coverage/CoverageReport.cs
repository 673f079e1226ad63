using Inference.Core.Flows;

namespace Inference.Core.Coverage;

/// <summary>What a rule's evidence edge says about coverage: the scopes' status and the edge's rhythm, and whether to say "low coverage".</summary>
public sealed record CoverageEvidence(EdgeKey Edge, CoverageStatus SourceStatus, CoverageStatus DestinationStatus, PeriodicEdge? Periodic, bool Low, string Summary);

/// <summary>
/// Coverage of an audit window, cluster-wide, per namespace and per workload, plus the blind spots. Suggestions, the diff
/// summary and the review page call <see cref="EvidenceFor"/> for each rule's edges and <see cref="Headline"/> once.
/// </summary>
public sealed class CoverageReport
{
    private readonly Dictionary<Peer, ScopeCoverage> _workloads;
    private readonly Dictionary<string, ScopeCoverage> _namespaces;
    private readonly Dictionary<EdgeKey, PeriodicEdge> _periodic;

    public CoverageReport(DateTimeOffset start, DateTimeOffset end, ScopeCoverage cluster, IReadOnlyList<ScopeCoverage> namespaces,
        IReadOnlyList<ScopeCoverage> workloads, IReadOnlyList<BlindSpot> blindSpots, IReadOnlyList<string> notes)
    {
        WindowStart = start;
        WindowEnd = end;
        Cluster = cluster;
        Namespaces = namespaces;
        Workloads = workloads;
        BlindSpots = blindSpots;
        Notes = notes;
        _workloads = workloads.Where(w => w.Workload is not null).ToDictionary(w => w.Workload!);
        _namespaces = namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _periodic = cluster.Periodic.ToDictionary(p => p.Edge);
    }

    public DateTimeOffset WindowStart { get; }
    public DateTimeOffset WindowEnd { get; }
    public TimeSpan Window => WindowEnd - WindowStart;
    public ScopeCoverage Cluster { get; }
    public IReadOnlyList<ScopeCoverage> Namespaces { get; }
    public IReadOnlyList<ScopeCoverage> Workloads { get; }
    public IReadOnlyList<BlindSpot> BlindSpots { get; }

    /// <summary>What could not be checked, said plainly.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Low coverage: the cluster is still Learning, a periodic edge lacks two periods, or data is known to be missing.</summary>
    public bool IsLow => Cluster.Status == CoverageStatus.Learning || Cluster.IsUnderCovered || BlindSpots.Any(b => b.Kind is "lost-events" or "node-unavailable" or "read-gap");

    /// <summary>One sentence for the top of a report.</summary>
    public string Headline => $"coverage {Cluster.Status}: {Cluster.StatusReason}" +
        (Cluster.IsUnderCovered ? $"; {Cluster.UnderCovered.Count} periodic edge(s) seen in fewer than two periods" : "") +
        (BlindSpots.Count > 0 ? $"; {BlindSpots.Count} blind spot(s)" : "") +
        (IsLow ? " - LOW COVERAGE: rules learned from this window may miss traffic" : "");

    public ScopeCoverage? ForWorkload(Peer workload) => _workloads.GetValueOrDefault(workload);

    public ScopeCoverage? ForNamespace(string ns) => _namespaces.GetValueOrDefault(ns);

    public PeriodicEdge? PeriodicFor(EdgeKey edge) => _periodic.GetValueOrDefault(edge);

    public CoverageEvidence EvidenceFor(EdgeKey edge)
    {
        var source = Scope(edge.Source);
        var destination = Scope(edge.Destination);
        var periodic = PeriodicFor(edge);
        var low = source.Status == CoverageStatus.Learning || destination.Status == CoverageStatus.Learning || periodic is { Covered: false } || IsLow;
        var summary = $"source {source.Name}: {source.Status}; destination {destination.Name}: {destination.Status}" +
            (periodic is null ? "" : $"; {periodic.Period} edge, {periodic.Note}") + (low ? "; low coverage" : "");
        return new CoverageEvidence(edge, source.Status, destination.Status, periodic, low, summary);
    }

    private ScopeCoverage Scope(Peer peer) =>
        (peer.IsWorkload ? ForWorkload(peer) ?? ForNamespace(peer.Namespace!) : null) ?? Cluster;
}
