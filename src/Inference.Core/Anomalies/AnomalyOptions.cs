namespace Inference.Core.Anomalies;

public sealed record AnomalyOptions
{
    /// <summary>Seeds ML.NET and the randomized PCA: the same window always scores the same.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Principal directions learned (capped below the feature count and the number of edges).</summary>
    public int Rank { get; init; } = 4;

    /// <summary>Edges scoring at least this are flagged (0.8: as far from normal as one feature ten robust deviations off).</summary>
    public double FlagThreshold { get; init; } = 0.8;

    /// <summary>At most this many reasons per edge, each contributing at least <see cref="MinReasonShare"/> of its distance.</summary>
    public int MaxReasons { get; init; } = 3;

    public double MinReasonShare { get; init; } = 0.1;
}
