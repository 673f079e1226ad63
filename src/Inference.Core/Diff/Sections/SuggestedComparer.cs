using Inference.Core.Diff.Ends;
using Inference.Core.Diff.Rules;
using Inference.Core.Diff.Text;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Sections;

/// <summary>
/// The semantic difference between the deployed and the suggested policies: over every observed edge, and over every
/// (source workload, destination workload, port the destination served) of the window, what one allows and the other
/// does not; then, per suggested workload policy, a line diff against the deployed policies selecting that workload.
/// </summary>
internal static class SuggestedComparer
{
    private const int MaxPairSamples = 25;

    public static SuggestedReport Compare(DiffInput input, Suggestion suggestion, WorkloadEnds ends, PolicyEvaluator deployed,
        IReadOnlyList<EdgeOutcome> outcomes, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var suggestedSet = PolicySet.Create(suggestion.Policies.Select(p => p.Model));
        var suggested = new PolicyEvaluator(suggestedSet, input.Options);
        var uncovered = suggestion.Uncovered.ToDictionary(u => u.Edge.Edge, u => u.Reason);

        var edges = new List<SemanticDifference>();
        foreach (var o in outcomes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = o.Edge.Edge;
            var port = EdgeAnalyzer.ProbePort(key);
            var suggestedAllows = ends.For(key.Source).All(s => ends.For(key.Destination, key.Source.Equals(key.Destination))
                .All(d => suggested.Evaluate(new ConnectionProbe(s, d, key.Protocol, port)).Allowed));
            if (suggestedAllows == o.AllAllowed)
            {
                continue;
            }

            var detail = o.AllAllowed
                ? uncovered.TryGetValue(key, out var why) ? $"the suggestion cannot express it: {why}" : o.Legitimate ? "the suggestion does not allow it" : "the suggestion denies it: it was not observed as allowed traffic"
                : o.Legitimate ? "the deployed files deny it; the suggestion, built from this traffic, allows it" : "the suggestion allows it, the deployed files do not";
            edges.Add(new SemanticDifference(key, o.Edge.Connections, o.Edge.LastSeen, o.AllAllowed, suggestedAllows, detail));
        }

        var (checkedPairs, deployedOnly, suggestedOnly, samples) = Pairs(input, ends, deployed, suggested, notes, cancellationToken);
        var yaml = YamlDiffs(input, suggestion, ends, cancellationToken);
        return new SuggestedReport(edges, checkedPairs, deployedOnly, suggestedOnly, samples, yaml, notes);
    }

    private static (long Checked, long DeployedOnly, long SuggestedOnly, List<SemanticDifference> Samples) Pairs(DiffInput input, WorkloadEnds ends,
        PolicyEvaluator deployed, PolicyEvaluator suggested, List<string> notes, CancellationToken cancellationToken)
    {
        var observed = input.Observed.Edges.Select(e => e.Edge).ToHashSet();
        var workloads = input.Observed.Workloads.Select(w => w.Workload)
            .Concat(input.Observed.Edges.SelectMany(e => new[] { e.Edge.Source, e.Edge.Destination }))
            .Where(p => p.IsWorkload).Distinct().Order().ToList();
        var served = input.Observed.Edges.Where(EdgeAnalyzer.IsLegitimate)
            .Where(e => e.Edge.Destination.IsWorkload && e.Edge.Port is not null && e.Edge.Protocol is L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp)
            .GroupBy(e => e.Edge.Destination).ToDictionary(g => g.Key, g => g.Select(e => (e.Edge.Protocol, Port: e.Edge.Port!.Value)).Distinct().Order().ToList());
        long total = workloads.Count * (long)served.Values.Sum(p => p.Count);
        if (total > input.MaxWorkloadPairs)
        {
            notes.Add($"{total} workload pairs x served ports exceed the limit of {input.MaxWorkloadPairs}: only the first {input.MaxWorkloadPairs} (in workload order) are compared");
        }

        notes.Add("workload pairs are compared with one pod per workload (the first seen); observed edges with every pod seen");
        long count = 0, deployedOnly = 0, suggestedOnly = 0;
        var samples = new List<SemanticDifference>();
        foreach (var source in workloads)
        {
            var s = ends.For(source)[0];
            foreach (var destination in workloads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!served.TryGetValue(destination, out var ports))
                {
                    continue;
                }

                var d = ends.For(destination, source.Equals(destination))[0];
                foreach (var (protocol, port) in ports)
                {
                    if (count >= input.MaxWorkloadPairs)
                    {
                        return (count, deployedOnly, suggestedOnly, samples);
                    }

                    count++;
                    var probe = new ConnectionProbe(s, d, protocol, port);
                    var a = deployed.Evaluate(probe).Allowed;
                    var b = suggested.Evaluate(probe).Allowed;
                    if (a == b)
                    {
                        continue;
                    }

                    deployedOnly += a ? 1 : 0;
                    suggestedOnly += b ? 1 : 0;
                    var edge = new EdgeKey(source, destination, protocol, port, null);
                    if (samples.Count < MaxPairSamples && !observed.Contains(edge))
                    {
                        samples.Add(new SemanticDifference(edge, 0, null, a, b, a
                            ? "never observed; the deployed files allow it and the suggestion does not"
                            : "never observed; the suggestion allows it and the deployed files do not"));
                    }
                }
            }
        }

        return (count, deployedOnly, suggestedOnly, samples);
    }

    private static List<WorkloadYamlDiff> YamlDiffs(DiffInput input, Suggestion suggestion, WorkloadEnds ends, CancellationToken cancellationToken)
    {
        var result = new List<WorkloadYamlDiff>();
        foreach (var policy in suggestion.Policies.Where(p => p.Kind == SuggestedPolicyKind.Workload && p.Workload is not null).OrderBy(p => p.Workload))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pods = ends.Pods(policy.Workload!);
            var selecting = input.Deployed.Policies.Where(p => pods.Any(pod => PolicySelection.Selects(p, pod))).ToList();
            var deployedText = string.Join("---\n", selecting.Select(p =>
                input.PolicyTexts.TryGetValue(p.Location.File, out var text) && PolicySource.Document(text, p.Location.Line) is { } doc
                    ? doc
                    : $"# {p.Ref} ({p.Location}): source text not available\n"));
            var suggestedText = PolicyYaml.Render(policy, suggestion.Options.Format);
            result.Add(new WorkloadYamlDiff(policy.Workload!, [.. selecting.Select(p => p.Ref)], $"{policy.Namespace}/{policy.Name}",
                LineDiff.Unified(deployedText, suggestedText)));
        }

        return result;
    }
}
