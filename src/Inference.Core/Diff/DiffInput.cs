using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Policies;

namespace Inference.Core.Diff;

/// <summary>
/// One direction's decision the cluster itself recorded for an edge (Calico flow logs): the enforced action and the
/// pending (staged) action with the policy hit that decided each. Peer keys are the store's <see cref="Peer.Key"/>s.
/// </summary>
public sealed record ClusterPolicyVerdict(
    string SourceKey,
    string DestinationKey,
    L4Protocol Protocol,
    int? Port,
    PolicyDirection Direction,
    string EnforcedAction,
    string? EnforcedBy,
    string PendingAction,
    string? PendingBy,
    long Connections,
    string Source);

/// <summary>Holes in the observed data: lost events, nodes whose flows were unavailable, and recorded gaps.</summary>
public sealed record WindowGaps(
    long LostEvents,
    IReadOnlyList<string> LostEventNodes,
    IReadOnlyList<string> UnavailableNodes,
    IReadOnlyList<DataGap> Gaps)
{
    public static WindowGaps None { get; } = new(0, [], [], []);
    public bool Any => LostEvents > 0 || UnavailableNodes.Count > 0 || Gaps.Count > 0;
}

public sealed record DataGap(string Source, string? Node, DateTimeOffset From, DateTimeOffset To, string Reason);

/// <summary>
/// Everything a diff is computed from. No I/O: the caller reads the files and the store. <see cref="PolicyTexts"/>
/// maps a policy's display path to its file text (for the YAML diff); <see cref="Suggested"/> is optional.
/// </summary>
public sealed record DiffInput
{
    public required PolicySet Deployed { get; init; }
    public required Observations Observed { get; init; }

    /// <summary>A kubectl snapshot (pods with ports and labels); null: pods as the store saw them (named ports cannot resolve).</summary>
    public ClusterSnapshot? Cluster { get; init; }

    public IReadOnlyList<ClusterPolicyVerdict> ClusterVerdicts { get; init; } = [];
    public WindowGaps Gaps { get; init; } = WindowGaps.None;
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public EvaluatorOptions Options { get; init; } = EvaluatorOptions.Default;
    public Suggestion? Suggested { get; init; }
    public IReadOnlyDictionary<string, string> PolicyTexts { get; init; } = new Dictionary<string, string>();

    /// <summary>Notes the caller adds to the summary (e.g. why there is no suggestion).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Most (source, destination, port) pairs of observed workloads the suggested comparison evaluates.</summary>
    public long MaxWorkloadPairs { get; init; } = 2_000_000;
}
