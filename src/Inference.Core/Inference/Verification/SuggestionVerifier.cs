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

    // edges come sorted by source, so a chunk is mostly one namespace: its pods' selections stay warm in the evaluator
    private const int ChunkSize = 4096;

    public static VerificationReport Verify(PolicyEvaluator evaluator, ProbeEnds ends, IReadOnlyList<ObservedEdge> covered, IReadOnlyList<ObservedEdge> observed,
        IReadOnlyDictionary<EdgeKey, List<ObservedHttp>> http, CancellationToken cancellationToken)
    {
        // chunks replay on every core (the evaluator is thread-safe) and merge in chunk order: the same report as one thread gives
        var chunks = new ChunkResult[(covered.Count + ChunkSize - 1) / ChunkSize];
        Parallel.For(0, chunks.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => chunks[i] = VerifyChunk(evaluator, ends, covered, i * ChunkSize, Math.Min(covered.Count, (i + 1) * ChunkSize), http, cancellationToken));

        var failures = new List<VerificationFailure>();
        var failedEdges = new HashSet<EdgeKey>();
        long probes = 0;
        foreach (var chunk in chunks)
        {
            probes += chunk.Probes;
            failures.AddRange(chunk.Failures.Take(MaxFailuresKept - failures.Count));
            failedEdges.UnionWith(chunk.FailedEdges);
        }

        long connectionsCovered = 0, connectionsObserved = 0;
        foreach (var e in covered)
        {
            connectionsCovered += failedEdges.Contains(e.Edge) ? 0 : e.Allowed;
        }

        foreach (var e in observed)
        {
            connectionsObserved += e.Allowed;
        }

        return new VerificationReport(covered.Count, probes, covered.Count - failedEdges.Count, observed.Count, connectionsCovered, connectionsObserved, failures);
    }

    private sealed record ChunkResult(long Probes, List<VerificationFailure> Failures, List<EdgeKey> FailedEdges);

    private static ChunkResult VerifyChunk(PolicyEvaluator evaluator, ProbeEnds ends, IReadOnlyList<ObservedEdge> covered, int from, int to,
        IReadOnlyDictionary<EdgeKey, List<ObservedHttp>> http, CancellationToken cancellationToken)
    {
        var failures = new List<VerificationFailure>();
        var failedEdges = new List<EdgeKey>();
        long probes = 0;
        for (var n = from; n < to; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = covered[n].Edge;
            var port = key.Protocol == L4Protocol.Icmp ? key.IcmpType ?? 0 : key.Port ?? 0;
            var requests = http.GetValueOrDefault(key);
            var failed = false;
            foreach (var src in ends.For(key.Source, source: true))
            {
                foreach (var dst in ends.For(key.Destination, source: false))
                {
                    // the connection itself, then each HTTP request seen on it (under L7)
                    for (var r = -1; r < (requests?.Count ?? 0); r++)
                    {
                        var probe = r < 0 ? new ConnectionProbe(src, dst, key.Protocol, port)
                            : new ConnectionProbe(src, dst, key.Protocol, port, new L7Request(requests![r].Method, requests[r].Path));
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

        return new ChunkResult(probes, failures, failedEdges);
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
