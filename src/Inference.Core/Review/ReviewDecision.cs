namespace Inference.Core.Review;

public enum ReviewVerdict : byte
{
    Approved,
    Rejected,
}

/// <summary>A reviewer's current decision on a policy (<see cref="RuleKey"/> empty) or on one of its rules.</summary>
public sealed record ReviewDecision(string Namespace, string Policy, string RuleKey, ReviewVerdict Verdict, string Note, string Actor, DateTimeOffset At);
