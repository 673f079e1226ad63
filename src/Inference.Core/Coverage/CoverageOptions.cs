namespace Inference.Core.Coverage;

public sealed record CoverageOptions
{
    /// <summary>A scope is Stable when no new edge appeared for this long before the window's end.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromHours(48);

    /// <summary>Stabilizing: new edges within the last <see cref="StableAfter"/> are at most this share of the scope's edges.</summary>
    public double StabilizingShare { get; init; } = 0.1;

    /// <summary>Gaps between runs may differ from their median by this share and still count as one rhythm.</summary>
    public double PeriodTolerance { get; init; } = 0.25;
}
