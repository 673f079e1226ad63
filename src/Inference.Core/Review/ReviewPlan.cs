using Inference.Core.Inference;
using Inference.Core.Inference.Rules;

namespace Inference.Core.Review;

public enum PolicyReviewState : byte
{
    /// <summary>No decision yet.</summary>
    Pending,
    Approved,
    Rejected,
}

/// <summary>A rule with its current decision (null: none).</summary>
public sealed record RuleReview(SuggestedRule Rule, string Key, string Text, ReviewDecision? Decision);

/// <summary>
/// A policy with its state, its own decision, its rules' decisions, and whether export writes it. <see cref="Written"/>
/// is the policy as export writes it (without <see cref="Withheld"/>, the rejected rules); <see cref="Effects"/> says
/// what leaving them out does beyond denying their traffic (a direction left without rules).
/// </summary>
public sealed record PolicyReview(SuggestedPolicy Policy, PolicyReviewState State, ReviewDecision? Decision, IReadOnlyList<RuleReview> Rules,
    bool Exported, string? Reason)
{
    public SuggestedPolicy Written { get; init; } = Policy;
    public IReadOnlyList<RuleReview> Withheld { get; init; } = [];
    public IReadOnlyList<string> Effects { get; init; } = [];

    /// <summary>The rules export writes, in order.</summary>
    public IEnumerable<RuleReview> Kept => Rules.Where(r => r.Decision?.Verdict != ReviewVerdict.Rejected);
}

/// <summary>
/// Applies reviewers' decisions to a suggestion: what export writes and why the rest is left out. A rejected policy is
/// never exported; a rejected rule is left out of its policy while the rest is written (the model rebuilt without it,
/// see <see cref="RuleWithholding"/>); with <c>approvedOnly</c> only policies approved as a whole, or whose every
/// remaining rule is approved, are exported, still without their rejected rules.
/// </summary>
public static class ReviewPlan
{
    public static IReadOnlyList<PolicyReview> Apply(Suggestion suggestion, IEnumerable<ReviewDecision> decisions, bool approvedOnly)
    {
        ArgumentNullException.ThrowIfNull(suggestion);
        var byKey = new Dictionary<(string, string, string), ReviewDecision>();
        foreach (var d in decisions.OrderBy(d => d.At))
        {
            byKey[(d.Namespace, d.Policy, d.RuleKey)] = d;
        }

        var result = new List<PolicyReview>(suggestion.Policies.Count);
        foreach (var policy in suggestion.Policies)
        {
            var rules = policy.Ingress.Concat(policy.Egress).Select(r =>
            {
                var key = ReviewKeys.Rule(r);
                return new RuleReview(r, key, ReviewKeys.RuleText(r), byKey.GetValueOrDefault((policy.Namespace, policy.Name, key)));
            }).ToList();
            var own = byKey.GetValueOrDefault((policy.Namespace, policy.Name, ""));
            var withheld = rules.Where(r => r.Decision?.Verdict == ReviewVerdict.Rejected).ToList();
            var kept = rules.Where(r => r.Decision?.Verdict != ReviewVerdict.Rejected).ToList();
            PolicyReviewState state;
            string? reason = null;
            if (own?.Verdict == ReviewVerdict.Rejected)
            {
                state = PolicyReviewState.Rejected;
                reason = $"rejected by {own.Actor}" + (own.Note.Length > 0 ? $": {own.Note}" : "");
            }
            else if (own?.Verdict == ReviewVerdict.Approved || (kept.Count > 0 && kept.All(r => r.Decision?.Verdict == ReviewVerdict.Approved)))
            {
                state = PolicyReviewState.Approved;
            }
            else
            {
                state = PolicyReviewState.Pending;
                if (approvedOnly)
                {
                    reason = "not approved yet";
                }
            }

            var exported = state == PolicyReviewState.Approved || (state == PolicyReviewState.Pending && !approvedOnly);
            var (written, effects) = RuleWithholding.Without(policy, withheld.Select(r => r.Key).ToHashSet(StringComparer.Ordinal), suggestion.Options.Format);
            result.Add(new PolicyReview(policy, state, own, rules, exported, reason) { Written = written, Withheld = withheld, Effects = effects });
        }

        return result;
    }
}
