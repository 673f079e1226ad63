using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>A feature that drove an edge's score: its value as read (a count, a share) and its share of the edge's distance.</summary>
public sealed record AnomalyReason(string Feature, double Value, double Contribution, string Description);

/// <summary>One edge's anomaly score (0..1, higher is more anomalous) and why.</summary>
public sealed record EdgeAnomaly(EdgeKey Edge, double Score, double Distance, bool Flagged, IReadOnlyList<AnomalyReason> Reasons, EdgeFeatures Features);

/// <summary>
/// Every edge of a window scored, most anomalous first (ties by edge key), with a lookup by edge. Suggestions and the review
/// page use <see cref="IsFlagged"/> and <see cref="OnlyAnomalousEvidence"/> to mark rules "review before allowing".
/// </summary>
public sealed class AnomalyScores
{
    private readonly Dictionary<EdgeKey, EdgeAnomaly> _byEdge;

    public AnomalyScores(IReadOnlyList<EdgeAnomaly> ranked, string model, IReadOnlyList<string> notes)
    {
        Ranked = ranked;
        Model = model;
        Notes = notes;
        _byEdge = ranked.ToDictionary(a => a.Edge);
    }

    public IReadOnlyList<EdgeAnomaly> Ranked { get; }

    /// <summary>How the scores were made (detector, rank, seed), for the report.</summary>
    public string Model { get; }

    /// <summary>Limits of this scoring run said plainly (too few edges to learn from, ...).</summary>
    public IReadOnlyList<string> Notes { get; }

    public IReadOnlyDictionary<EdgeKey, EdgeAnomaly> ByEdge => _byEdge;

    public EdgeAnomaly? For(EdgeKey edge) => _byEdge.GetValueOrDefault(edge);

    public bool IsFlagged(EdgeKey edge) => _byEdge.TryGetValue(edge, out var a) && a.Flagged;

    /// <summary>True when a rule's evidence is non-empty and every edge of it is flagged: allow it only after review.</summary>
    public bool OnlyAnomalousEvidence(IEnumerable<EdgeKey> evidence)
    {
        var any = false;
        foreach (var edge in evidence)
        {
            if (!IsFlagged(edge))
            {
                return false;
            }

            any = true;
        }

        return any;
    }
}
