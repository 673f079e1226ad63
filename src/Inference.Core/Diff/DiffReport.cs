using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Diff;

/// <summary>An observed connection named by an item: the edge, its connection count and when it was last seen.</summary>
public sealed record ConnectionRef(EdgeKey Edge, long Connections, DateTimeOffset LastSeen, IReadOnlyDictionary<string, long> Verdicts);

/// <summary>Why one direction denies: the policies isolating that end with no rule allowing the connection (or a deny rule).</summary>
public sealed record DirectionDenial(PolicyDirection Direction, string End, IReadOnlyList<PolicyRef> IsolatedBy, RuleRef? DeniedBy);

/// <summary>An observed legitimate connection the deployed set denies.</summary>
public sealed record BreakItem(ConnectionRef Connection, IReadOnlyList<DirectionDenial> Denials, string SourcePod, string DestinationPod,
    int PairsDenied, int PairsTried, IReadOnlyList<string> Notes);

/// <summary>One (peer, port) a rule admitted and an observed connection used, with its connections.</summary>
public sealed record RuleUse(Peer Subject, Peer Peer, L4Protocol Protocol, int? Port, long Connections, DateTimeOffset LastSeen)
{
    /// <summary>The connection in its own direction: the peer is the source of an ingress rule's use, the destination of an egress rule's.</summary>
    public EdgeKey Edge(PolicyDirection direction) => direction == PolicyDirection.Ingress
        ? new EdgeKey(Peer, Subject, Protocol, Port, null)
        : new EdgeKey(Subject, Peer, Protocol, Port, null);
}

/// <summary>
/// A deployed allow rule admitting (source, destination, port) combinations of observed workloads and ports that no
/// observed connection used. <see cref="Allows"/> says how wide the rule is written; the counts are over the window.
/// </summary>
public sealed record OverBroadItem(
    RuleRef Rule,
    SourceLocation Location,
    string Text,
    IReadOnlyList<string> Allows,
    IReadOnlyList<Peer> Subjects,
    long AdmittedCombinations,
    long UsedCombinations,
    long AdmittedPeers,
    long UsedPeers,
    IReadOnlyList<RuleUse> Used,
    IReadOnlyList<string> UnusedSamples,
    string Suggestion);

public enum UnusedReason : byte
{
    /// <summary>The rule's policy selects observed workloads, but no observed connection matched the rule.</summary>
    NoMatchingConnection,

    /// <summary>The rule's policy selects no workload seen in the window.</summary>
    SelectsNothingObserved,

    /// <summary>The policy's <c>policyTypes</c> leaves this direction out, so the rule is ignored.</summary>
    DirectionNotInEffect,

    /// <summary>A Cilium rule that allows nothing (<c>{}</c>).</summary>
    MatchesNothing,
}

public sealed record UnusedRule(RuleRef Rule, SourceLocation Location, string Text, UnusedReason Reason, string Detail);

public sealed record UnusedPolicy(PolicyRef Policy, SourceLocation Location, string Detail);

public sealed record UnusedReport(IReadOnlyList<UnusedRule> Rules, IReadOnlyList<UnusedPolicy> Policies);

/// <summary>What the cluster itself said about an edge: a verdict count or one direction's Calico decision.</summary>
public sealed record ClusterSignal(string Source, string Verdict, PolicyDirection? Direction, string? DecidedBy, long Connections);

/// <summary>An edge where the cluster's own verdict differs from what the deployed files decide.</summary>
public sealed record DisagreementItem(ConnectionRef Connection, string ClusterSays, string FilesSay, IReadOnlyList<ClusterSignal> Signals,
    IReadOnlyList<DirectionDenial> FileDenials, string Explanation);

/// <summary>An observed edge or workload pair one policy set allows and the other does not.</summary>
public sealed record SemanticDifference(EdgeKey Edge, long Connections, DateTimeOffset? LastSeen, bool DeployedAllows, bool SuggestedAllows, string Detail);

/// <summary>The deployed policies selecting a workload next to the suggestion for it, as a unified line diff.</summary>
public sealed record WorkloadYamlDiff(Peer Workload, IReadOnlyList<PolicyRef> Deployed, string SuggestedPolicy, IReadOnlyList<string> Lines);

public sealed record SuggestedReport(
    IReadOnlyList<SemanticDifference> ObservedEdges,
    long WorkloadPairsChecked,
    long DeployedOnlyPairs,
    long SuggestedOnlyPairs,
    IReadOnlyList<SemanticDifference> PairSamples,
    IReadOnlyList<WorkloadYamlDiff> YamlDiffs,
    IReadOnlyList<string> Notes);

public sealed record DiffCounts(
    int DeployedPolicies,
    int DeployedRules,
    int EdgesObserved,
    int LegitimateEdges,
    long LegitimateConnections,
    int WouldBreak,
    long WouldBreakConnections,
    int OverBroad,
    int UnusedRules,
    int UnusedPolicies,
    int ClusterDisagrees,
    int SuggestedDifferences);

public sealed record DiffSummary(
    DiffCounts Counts,
    DateTimeOffset? RequestedSince,
    DateTimeOffset? RequestedUntil,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    WindowGaps Gaps,
    IReadOnlyList<string> Notes);

/// <summary>The whole diff, every list in a deterministic order; would-break first.</summary>
public sealed record DiffReport(
    IReadOnlyList<BreakItem> WouldBreak,
    IReadOnlyList<OverBroadItem> OverBroad,
    UnusedReport Unused,
    IReadOnlyList<DisagreementItem> ClusterDisagrees,
    SuggestedReport? Suggested,
    DiffSummary Summary);
