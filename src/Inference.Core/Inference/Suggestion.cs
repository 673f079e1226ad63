using Inference.Core.Flows;
using Inference.Core.Inference.Rules;
using Inference.Core.Policies;

namespace Inference.Core.Inference;

public enum SuggestedPolicyKind : byte
{
    DefaultDeny,
    Dns,
    Workload,
}

/// <summary>
/// One suggested policy. <see cref="Model"/> is the policy object the evaluator verified and the YAML is rendered from;
/// <see cref="Rules"/> are the same rules with their evidence (ICMP rules, which the model cannot carry, come last).
/// </summary>
public sealed record SuggestedPolicy(
    SuggestedPolicyKind Kind,
    string Namespace,
    string Name,
    string FileName,
    Peer? Workload,
    LabelSelector Selector,
    IReadOnlyList<SuggestedRule> Ingress,
    IReadOnlyList<SuggestedRule> Egress,
    PolicyBase Model);

/// <summary>Why an observed connection has no rule: the format cannot say it, or its workload cannot be selected.</summary>
public sealed record UncoveredEdge(ObservedEdge Edge, string Reason);

/// <summary>An observed connection the evaluator found denied by the suggestion: a bug, never a warning.</summary>
public sealed record VerificationFailure(EdgeKey Edge, string SourcePod, string DestinationPod, string Detail);

/// <summary>Exposure of one destination workload: (source workload, port) pairs default-allow permits vs the suggestion.</summary>
public sealed record PolicyExposure(Peer Workload, long Before, long After);

public sealed record ExposureReport(long SourceWorkloads, long ServedPorts, long Before, long After, IReadOnlyList<PolicyExposure> PerPolicy);

/// <summary>
/// What the replay checked: covered edges and their connections out of all observed (allowed, non-probe) ones, the probes
/// evaluated, and every denial found (at most <c>50</c> kept; any is a bug).
/// </summary>
public sealed record VerificationReport(long EdgesChecked, long ProbesEvaluated, long EdgesCovered, long EdgesObserved,
    long ConnectionsCovered, long ConnectionsObserved, IReadOnlyList<VerificationFailure> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>The whole suggestion: policies in write order, what it could not cover, and what it verified.</summary>
public sealed record Suggestion(
    SuggestOptions Options,
    IReadOnlyList<SuggestedPolicy> Policies,
    IReadOnlyList<UncoveredEdge> Uncovered,
    IReadOnlyList<ObservedEdge> Dropped,
    IReadOnlyList<Peer> NoTraffic,
    IReadOnlyList<string> Notes,
    VerificationReport Verification,
    ExposureReport Exposure,
    DateTimeOffset? WindowStart,
    DateTimeOffset? WindowEnd)
{
    public int RuleCount => Policies.Sum(p => p.Ingress.Count + p.Egress.Count);
}
