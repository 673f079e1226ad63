using Inference.Core.Diff.Ends;
using Inference.Core.Diff.Rules;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Sections;

/// <summary>
/// Rules no observed legitimate connection matched, and policies none of whose rules was used. A policy without
/// rules (a default deny) counts as used when it selects an observed workload: isolating is its job.
/// </summary>
internal static class UnusedFinder
{
    public static UnusedReport Find(RuleCatalog catalog, WorkloadEnds ends, Observations observed, IReadOnlyDictionary<DeployedRule, List<RuleHit>> hits,
        CancellationToken cancellationToken)
    {
        var workloads = observed.Workloads.Select(w => w.Workload).Concat(observed.Edges.SelectMany(e => new[] { e.Edge.Source, e.Edge.Destination }))
            .Where(p => p.IsWorkload).Distinct().Order().ToList();
        var selectsObserved = new Dictionary<PolicyRef, int>();
        foreach (var policy in catalog.Policies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            selectsObserved[policy.Ref] = workloads.Count(w => w.Namespace == (policy.Ref.Namespace ?? w.Namespace) && ends.Pods(w).Any(p => PolicySelection.Selects(policy, p)));
        }

        var rules = new List<UnusedRule>();
        foreach (var rule in catalog.Rules)
        {
            if (hits.ContainsKey(rule))
            {
                continue;
            }

            var selected = selectsObserved[rule.Policy.Ref];
            var (reason, detail) = rule switch
            {
                { InEffect: false } => (UnusedReason.DirectionNotInEffect,
                    $"policyTypes does not list {rule.Direction}: this rule is ignored (and the policy does not isolate {rule.Direction.ToString().ToLowerInvariant()})"),
                { MatchesNothing: true } => (UnusedReason.MatchesNothing, "an empty rule ({}) allows nothing; it only isolates"),
                _ when selected == 0 => (UnusedReason.SelectsNothingObserved, "its policy selects no workload seen in the window"),
                _ => (UnusedReason.NoMatchingConnection,
                    $"its policy selects {selected} observed workload{(selected == 1 ? "" : "s")}, but no observed connection matched this rule"),
            };
            rules.Add(new UnusedRule(rule.Ref, rule.Location, rule.Text, reason, detail));
        }

        var policies = new List<UnusedPolicy>();
        foreach (var policy in catalog.Policies)
        {
            var own = catalog.Rules.Where(r => r.Policy == policy).ToList();
            var selected = selectsObserved[policy.Ref];
            if (own.Count == 0)
            {
                if (selected == 0)
                {
                    policies.Add(new UnusedPolicy(policy.Ref, policy.Location, "selects no workload seen in the window"));
                }
            }
            else if (own.All(r => !hits.ContainsKey(r)))
            {
                policies.Add(new UnusedPolicy(policy.Ref, policy.Location, selected == 0
                    ? "selects no workload seen in the window"
                    : $"none of its {own.Count} rule{(own.Count == 1 ? "" : "s")} matched an observed connection (it still isolates {selected} workload{(selected == 1 ? "" : "s")})"));
            }
        }

        return new UnusedReport(rules, policies);
    }
}
