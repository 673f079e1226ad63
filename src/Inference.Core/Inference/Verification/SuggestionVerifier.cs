using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Inference.Verification;

/// <summary>
/// Replays observed connections through the evaluator against the suggested policies: every pod variant of the source
/// to every pod variant of the destination (and each HTTP request seen, under L7). Any denial is a bug in the suggester.
/// </summary>
internal static class SuggestionVerifier
{
    public const int MaxFailuresKept = 50;

    public static VerificationReport Verify(PolicyEvaluator evaluator, ProbeEnds ends, IReadOnlyList<ObservedEdge> covered, IReadOnlyList<ObservedEdge> observed,
        IReadOnlyDictionary<EdgeKey, List<ObservedHttp>> http, CancellationToken cancellationToken)
    {
        var failures = new List<VerificationFailure>();
        long probes = 0;
        var failedEdges = new HashSet<EdgeKey>();
        foreach (var edge in covered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = edge.Edge;
            var port = key.Protocol == L4Protocol.Icmp ? key.IcmpType ?? 0 : key.Port ?? 0;
            var requests = http.GetValueOrDefault(key);
            var failed = false;
            foreach (var src in ends.For(key.Source, source: true))
            {
                foreach (var dst in ends.For(key.Destination, source: false))
                {
                    var tries = requests is null
                        ? [new ConnectionProbe(src, dst, key.Protocol, port)]
                        : requests.Select(r => new ConnectionProbe(src, dst, key.Protocol, port, new L7Request(r.Method, r.Path)))
                            .Prepend(new ConnectionProbe(src, dst, key.Protocol, port));
                    foreach (var probe in tries)
                    {
                        probes++;
                        var result = evaluator.Evaluate(probe);
                        if (result.Allowed)
                        {
                            continue;
                        }

                        failed = true;
                        if (failures.Count < MaxFailuresKept)
                        {
                            failures.Add(new VerificationFailure(key, src.ToString(), dst.ToString(), Describe(result, probe)));
                        }
                    }
                }
            }

            if (failed)
            {
                failedEdges.Add(key);
            }
        }

        return new VerificationReport(covered.Count, probes, covered.Count - failedEdges.Count, observed.Count,
            covered.Where(e => !failedEdges.Contains(e.Edge)).Sum(e => e.Allowed), observed.Sum(e => e.Allowed), failures);
    }

    private static string Describe(EvaluationResult result, ConnectionProbe probe)
    {
        var parts = new List<string>();
        foreach (var v in new[] { result.Egress, result.Ingress })
        {
            if (!v.Allowed)
            {
                parts.Add($"{v.Direction.ToString().ToLowerInvariant()} {v.Outcome} (isolated by {string.Join(", ", v.IsolatedBy.Select(p => p.DisplayName))})");
            }
        }

        if (probe.L7 is { } l7)
        {
            parts.Add($"request {l7.HttpMethod} {l7.HttpPath}");
        }

        return string.Join("; ", parts);
    }
}
