using CsCheck;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;
using Inference.Core.Policies;

namespace Inference.Core.Tests.Inference;

/// <summary>Random clusters: every observed connection is allowed, output does not depend on input order, and is the same bytes twice.</summary>
public sealed class SuggesterPropertyTests
{
    private static readonly int[] Ports = [53, 80, 443, 5432, 8080, 8081, 9090];

    private static readonly Gen<Observations> Clusters =
        from workloadCount in Gen.Int[2, 9]
        from labelChoice in Gen.Int[0, 2].Array[workloadCount]
        from nsChoice in Gen.Int[0, 2].Array[workloadCount]
        from edgeSpecs in Gen.Select(Gen.Int[0, 9], Gen.Int[0, 9], Gen.Int[0, Ports.Length - 1], Gen.Int[0, 5]).Array[1, 25]
        select Build(workloadCount, labelChoice, nsChoice, edgeSpecs);

    private static Observations Build(int count, int[] labelChoice, int[] nsChoice, (int, int, int, int)[] edgeSpecs)
    {
        var c = new Cluster();
        var peers = new List<Peer>();
        for (var i = 0; i < count; i++)
        {
            var ns = $"ns{nsChoice[i]}";
            // some workloads share a part-of label, some only have app, a few also share app (the fallback path)
            var labels = labelChoice[i] switch
            {
                0 => new[] { $"app.kubernetes.io/name=w{i}", "app.kubernetes.io/part-of=shop", "pod-template-hash=abc" },
                1 => [$"app=w{i}"],
                _ => [$"app=w{i % 3}", $"tier=t{i}"],
            };
            peers.Add(c.Workload(ns, $"w{i}", WorkloadKind.Deployment, labels));
        }

        var world = Cluster.World("203.0.113.7", "api.example.com");
        foreach (var (s, d, p, v) in edgeSpecs)
        {
            var source = peers[s % count];
            var destination = d == 9 ? world : peers[d % count];
            var protocol = Ports[p] == 53 && v % 2 == 0 ? L4Protocol.Udp : L4Protocol.Tcp;
            // v: 0-3 forwarded, 4 audit, 5 dropped
            c.Edge(source, destination, protocol, Ports[p], forwarded: v < 4 ? 5 : 0, audit: v == 4 ? 2 : 0, dropped: v == 5 ? 3 : 0);
        }

        return c.Build();
    }

    private static Observations Dedupe(Observations o) =>
        // the store holds one row per edge; random specs can repeat one
        o with { Edges = [.. o.Edges.GroupBy(e => e.Edge).Select(g => g.First())] };

    [Theory]
    [InlineData(SuggestFormat.Kubernetes)]
    [InlineData(SuggestFormat.Cilium)]
    public void Every_observed_connection_is_allowed_including_after_a_yaml_round_trip(SuggestFormat format)
    {
        Clusters.Select(Dedupe).Sample(o =>
        {
            var s = Suggester.Suggest(o, new SuggestOptions { Format = format }, CancellationToken.None);
            Assert.True(s.Verification.Passed, string.Join("\n", s.Verification.Failures));
            Assert.Equal(s.Verification.EdgesObserved, s.Verification.EdgesCovered + s.Uncovered.Count);

            // what is written, read back by the policy parser, allows every covered connection too
            var parsed = PolicyParser.Parse(PolicyYaml.RenderAll(s.Policies, format), "suggestion.yaml");
            Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
            var evaluator = new PolicyEvaluator(PolicySet.Create(parsed.Policies));
            var uncovered = s.Uncovered.Select(u => u.Edge.Edge).ToHashSet();
            foreach (var e in o.Edges.Where(e => e.Allowed > 0 && !uncovered.Contains(e.Edge)))
            {
                var probe = new ConnectionProbe(End(o, e.Edge.Source, "src"), End(o, e.Edge.Destination, "dst"), e.Edge.Protocol, e.Edge.Port ?? 0);
                Assert.True(evaluator.Evaluate(probe).Allowed, $"{e.Edge} denied after the round trip");
            }
        }, iter: 150);
    }

    [Fact]
    public void The_same_observations_in_any_order_give_the_same_bytes_and_running_twice_too()
    {
        Gen.Select(Clusters.Select(Dedupe), Gen.Int).Sample((o, seed) =>
        {
            var options = new SuggestOptions { Format = SuggestFormat.Kubernetes };
            var first = PolicyYaml.RenderAll(Suggester.Suggest(o, options, CancellationToken.None).Policies, options.Format);
            var again = PolicyYaml.RenderAll(Suggester.Suggest(o, options, CancellationToken.None).Policies, options.Format);
            var rng = new Random(seed);
            var shuffled = o with
            {
                Edges = [.. o.Edges.OrderBy(_ => rng.Next())],
                Workloads = [.. o.Workloads.OrderBy(_ => rng.Next())],
                Pods = [.. o.Pods.OrderBy(_ => rng.Next())],
            };
            var reordered = PolicyYaml.RenderAll(Suggester.Suggest(shuffled, options, CancellationToken.None).Policies, options.Format);
            Assert.Equal(first, again);
            Assert.Equal(first, reordered);
        }, iter: 100);
    }

    private static ConnectionEnd End(Observations o, Peer peer, string side)
    {
        if (!peer.IsWorkload)
        {
            return ConnectionEnd.ForExternal(peer.Ip ?? "", peer.Names);
        }

        var pod = o.Pods.First(p => p.Workload == peer);
        return ConnectionEnd.ForPod(new PodEndpoint(pod.Namespace, pod.Name + side, pod.Labels, pod.NamespaceLabels));
    }
}
