namespace Inference.Store.Review;

/// <summary>One stored review decision. <see cref="RuleKey"/> is empty for a decision on the whole policy.</summary>
public sealed record ReviewDecisionRecord(
    long Id,
    string Namespace,
    string Policy,
    string RuleKey,
    string? RuleText,
    string Decision,
    string Note,
    string Actor,
    DateTimeOffset DecidedAt);
