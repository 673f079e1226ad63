using Inference.Core.Inference;
using Inference.Core.Inference.Rules;

namespace Inference.Core.Review;

public enum PolicyReviewState : byte
{
    /// <summary>No decision yet.</summary>
    Pending,
    Approved,
    Rejected,

    /// <summary>One of its rules was rejected: the policy is withheld from export until the rule decision is cleared or the policy rejected.</summary>
    RuleRejected,
}

/// <summary>A rule with its current decision (null: none).</summary>
public sealed record RuleReview(SuggestedRule Rule, string Key, string Text, ReviewDecision? Decision);

/// <summary>A policy with its state, its own decision, its rules' decisions, and whether export writes it.</summary>
public sealed record PolicyReview(SuggestedPolicy Policy, PolicyReviewState State, ReviewDecision? Decision, IReadOnlyList<RuleReview> Rules,
    bool Exported, string? Reason);

/// <summary>
/// Applies reviewers' decisions to a suggestion: what export writes and why the rest is left out. A rejected policy is
/// never exported; a policy with a rejected rule is withheld whole (its YAML is the verified model, and cutting a rule
/// out of it would be an unverified policy); with <c>approvedOnly</c> only policies approved as a whole, or whose every
/// rule is approved, are exported.
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
            var rejectedRule = rules.FirstOrDefault(r => r.Decision?.Verdict == ReviewVerdict.Rejected);
            PolicyReviewState state;
            string? reason = null;
            if (own?.Verdict == ReviewVerdict.Rejected)
            {
                state = PolicyReviewState.Rejected;
                reason = $"rejected by {own.Actor}" + (own.Note.Length > 0 ? $": {own.Note}" : "");
            }
            else if (rejectedRule is not null)
            {
                state = PolicyReviewState.RuleRejected;
                reason = $"withheld: rule \"{rejectedRule.Text}\" rejected by {rejectedRule.Decision!.Actor}" +
                    (rejectedRule.Decision.Note.Length > 0 ? $" ({rejectedRule.Decision.Note})" : "");
            }
            else if (own?.Verdict == ReviewVerdict.Approved || (rules.Count > 0 && rules.All(r => r.Decision?.Verdict == ReviewVerdict.Approved)))
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
            result.Add(new PolicyReview(policy, state, own, rules, exported, reason));
        }

        return result;
    }
}
