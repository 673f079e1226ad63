using Inference.Core.Flows;

namespace Inference.Core.Activity;

/// <summary>
/// Everything coverage and anomaly scoring read about an audit window: every edge's hourly series, when each DNS name
/// was first resolved, and the signs of missing data. Built by the store's reader; pure data from here on.
/// </summary>
public sealed record WindowActivity
{
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }

    /// <summary>Edges in <see cref="EdgeKey"/> order.</summary>
    public required IReadOnlyList<EdgeActivity> Edges { get; init; }

    /// <summary>DNS name (normalized, no trailing dot) to the first time an answer for it was seen in the window.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> FirstResolved { get; init; } = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

    /// <summary>Workloads whose DNS queries were seen with answers (L7 DNS visibility).</summary>
    public IReadOnlySet<Peer> DnsVisibleClients { get; init; } = new HashSet<Peer>();

    public BlindSpotInputs BlindSpots { get; init; } = new();

    public TimeSpan Length => End - Start;

    /// <summary>The window spanned by the edges' first and last seen (empty edges: a zero-length window at the epoch).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Span(IReadOnlyList<EdgeActivity> edges) =>
        edges.Count == 0 ? (DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) : (edges.Min(e => e.FirstSeen), edges.Max(e => e.LastSeen));
}

/// <summary>Data the producers said they lost, nodes that were unreachable, gaps in reading, and per-node flow presence.</summary>
public sealed record BlindSpotInputs
{
    public IReadOnlyList<LostEvents> LostEvents { get; init; } = [];
    public IReadOnlyList<NodeOutage> UnavailableNodes { get; init; } = [];
    public IReadOnlyList<ReadGap> Gaps { get; init; } = [];

    /// <summary>Per node, the clock hours in which it reported at least one flow; null when the store does not record it.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<DateTimeOffset>>? NodeHours { get; init; }
}

public sealed record LostEvents(string Source, string Node, string LostBy, long Count, DateTimeOffset? First, DateTimeOffset? Last);

public sealed record NodeOutage(string Source, string Node, string State, string? Message, DateTimeOffset At);

public sealed record ReadGap(string Source, string? Node, DateTimeOffset From, DateTimeOffset To, string Reason);
