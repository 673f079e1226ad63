using Inference.Core.Diff.Ends;
using Inference.Core.Diff.Rules;
using Inference.Core.Diff.Sections;
using Inference.Core.Evaluation;

namespace Inference.Core.Diff;

/// <summary>
/// <c>inference diff</c>'s core: what enforcing the deployed policies would break among the observed connections,
/// which rules admit far more than was used, which rules and policies nothing used, where the cluster's own verdicts
/// disagree with the files, and how the deployed set differs from a suggestion. Pure and deterministic.
/// </summary>
public static class DiffEngine
{
    public static DiffReport Run(DiffInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var notes = new List<string>(input.Notes);
        var ends = new WorkloadEnds(input.Observed, input.Cluster);
        var catalog = new RuleCatalog(input.Deployed, input.Options);
        var evaluator = new PolicyEvaluator(input.Deployed, input.Options);
        var analyzer = new EdgeAnalyzer(evaluator, catalog, ends);

        var outcomes = new List<EdgeOutcome>();
        foreach (var edge in input.Observed.Edges.OrderBy(e => e.Edge))
        {
            cancellationToken.ThrowIfCancellationRequested();
            outcomes.Add(analyzer.Analyze(edge));
        }

        var wouldBreak = WouldBreakFinder.Find(outcomes);
        var overBroad = OverBroadFinder.Find(catalog, ends, input.Observed, analyzer.Hits, cancellationToken);
        var unused = UnusedFinder.Find(catalog, ends, input.Observed, analyzer.Hits, cancellationToken);
        var disagreements = DisagreementFinder.Find(outcomes, input.ClusterVerdicts);
        var suggested = input.Suggested is { } suggestion
            ? SuggestedComparer.Compare(input, suggestion, ends, evaluator, outcomes, cancellationToken)
            : null;

        notes.AddRange(Notes(input, ends));
        var legit = outcomes.Where(o => o.Legitimate).ToList();
        var counts = new DiffCounts(
            input.Deployed.Policies.Count, catalog.Rules.Count, outcomes.Count, legit.Count, legit.Sum(o => o.Edge.Allowed),
            wouldBreak.Count, wouldBreak.Sum(b => b.Connection.Connections), overBroad.Count, unused.Rules.Count, unused.Policies.Count,
            disagreements.Count, suggested is null ? 0 : suggested.ObservedEdges.Count);
        var summary = new DiffSummary(counts, input.Since, input.Until,
            outcomes.Count == 0 ? null : outcomes.Min(o => o.Edge.FirstSeen), outcomes.Count == 0 ? null : outcomes.Max(o => o.Edge.LastSeen),
            input.Gaps, notes);
        return new DiffReport(wouldBreak, overBroad, unused, disagreements, suggested, summary);
    }

    private static IEnumerable<string> Notes(DiffInput input, WorkloadEnds ends)
    {
        if (input.Cluster is null)
        {
            yield return "no cluster snapshot: pods are evaluated with the labels flows carried; container ports are unknown, so rules with named ports match nothing";
        }

        if (!input.Options.IpBlockMatchesPodIps)
        {
            yield return "ipBlock rules match only cluster-external addresses (Cilium behaviour; pass --ipblock-matches-pod-ips for Calico)";
        }

        foreach (var (workload, variants) in ends.Capped())
        {
            yield return $"{workload}: {variants} distinct pods; the first {WorkloadEnds.MaxVariants} are evaluated";
        }

        // a policy file left with a placeholder namespace (Online Boutique's YOUR_NAMESPACE) selects nothing observed
        var observedNamespaces = input.Observed.Workloads.Select(w => w.Workload.Namespace)
            .Concat(input.Observed.Edges.SelectMany(e => new[] { e.Edge.Source.Namespace, e.Edge.Destination.Namespace }))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var ns in input.Deployed.Policies.Select(p => p.Ref.Namespace).OfType<string>().Distinct().Order(StringComparer.Ordinal))
        {
            if (!observedNamespaces.Contains(ns))
            {
                yield return $"policies in namespace {ns} select nothing observed: no workload of that namespace was seen in the window (a placeholder namespace left in the files?)";
            }
        }

        if (input.Gaps.Any)
        {
            yield return "the window has data gaps (see gaps): connections in them are missing, so `unused` and `overBroad` may overstate";
        }
    }
}
