namespace Inference.Core.Connections;

/// <summary>How events are assembled into connections.</summary>
public sealed record ConnectionOptions
{
    /// <summary>Events with the same 5-tuple within this gap of each other are one connection.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long event keys are remembered to drop events a relay sends twice (reconnects resume with a margin).</summary>
    public TimeSpan DedupeRetention { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Relay ordering across nodes is best-effort: connections close only once events are this much past them.</summary>
    public TimeSpan Lateness { get; init; } = TimeSpan.FromSeconds(10);
}
