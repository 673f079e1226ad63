using Inference.Core.Inference;
using Inference.Core.Inference.Building;
using Inference.Core.Inference.Rules;

namespace Inference.Core.Review;

/// <summary>
/// A policy without its rejected rules: the remaining rules re-indexed and the model rebuilt from them, so the YAML
/// written is the policy object minus exactly those rules (rules are additive, so what the rest allows is unchanged).
/// When a direction loses its last rule the effect is stated, never left to be discovered: a Kubernetes policy keeps
/// the direction in policyTypes and so isolates the workload for it; a Cilium policy stops saying anything about it.
/// </summary>
public static class RuleWithholding
{
    public static (SuggestedPolicy Policy, IReadOnlyList<string> Effects) Without(SuggestedPolicy policy, IReadOnlySet<string> rejectedKeys, SuggestFormat format)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(rejectedKeys);
        var ingress = Keep(policy.Ingress, rejectedKeys);
        var egress = Keep(policy.Egress, rejectedKeys);
        if (ingress.Count == policy.Ingress.Count && egress.Count == policy.Egress.Count)
        {
            return (policy, []);
        }

        var model = ModelFactory.Build(format, policy.Kind, policy.Namespace, policy.Name, policy.FileName, policy.Selector, ingress, egress);
        var effects = new List<string>();
        var target = policy.Workload?.ToString() ?? $"every pod in {policy.Namespace}";
        if (policy.Ingress.Count > 0 && ingress.Count == 0)
        {
            effects.Add(LastRuleGone(format, "ingress", "from", target));
        }

        if (policy.Egress.Count > 0 && egress.Count == 0)
        {
            effects.Add(LastRuleGone(format, "egress", "to", target));
        }

        return (policy with { Ingress = ingress, Egress = egress, Model = model }, effects);
    }

    private static List<SuggestedRule> Keep(IReadOnlyList<SuggestedRule> rules, IReadOnlySet<string> rejected) =>
        [.. rules.Where(r => !rejected.Contains(ReviewKeys.Rule(r))).Select((r, i) => r with { Index = i })];

    private static string LastRuleGone(SuggestFormat format, string direction, string preposition, string target) => format == SuggestFormat.Cilium
        ? $"every {direction} rule was rejected: this policy no longer restricts {direction} {(direction == "ingress" ? "to" : "of")} {target}; it is denied only where the namespace's default-deny policy is applied, otherwise allowed"
        : $"every {direction} rule was rejected: this policy still lists {Capitalized(direction)} in policyTypes, so once enforced {target} is isolated for {direction} and this policy allows no {direction} {preposition} anywhere";

    private static string Capitalized(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
