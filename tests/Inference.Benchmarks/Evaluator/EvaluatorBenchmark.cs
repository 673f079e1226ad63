using System.Diagnostics;
using System.Globalization;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Benchmarks.Evaluator;

/// <summary>
/// 1M connections against 1,000 NetworkPolicies (100 namespaces x 10, 3,000 pods), indexed evaluator vs the same
/// evaluator scanning every policy for every probe. The naive loop runs on a 50k sample (it would take minutes on 1M);
/// both agree on every sampled verdict. Target: the index is at least 5x faster per probe and 1M probes take under a minute.
/// </summary>
internal sealed class EvaluatorBenchmark : IBenchmark
{
    private const int Namespaces = 100;
    private const int PoliciesPerNamespace = 10;
    private const int PodsPerNamespace = 30;
    private const int Connections = 1_000_000;
    private const int NaiveSample = 50_000;

    public string Name => "evaluator";
    public string Description => "1M connections x 1,000 policies: indexed evaluator vs a naive scan of every policy";

    public Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var policies = PolicySet.Create(GeneratePolicies(random));
        var pods = GeneratePods();
        var probes = new ConnectionProbe[Connections];
        (L4Protocol, int)[] ports = [(L4Protocol.Tcp, 80), (L4Protocol.Tcp, 8080), (L4Protocol.Tcp, 5432), (L4Protocol.Udp, 53)];
        for (var i = 0; i < probes.Length; i++)
        {
            var src = pods[random.Next(pods.Length)];
            // most traffic stays in its namespace, some crosses, some leaves the cluster
            var roll = random.Next(10);
            var dst = roll < 6 ? pods[(Array.IndexOf(pods, src) / PodsPerNamespace * PodsPerNamespace) + random.Next(PodsPerNamespace)]
                : roll < 9 ? pods[random.Next(pods.Length)] : ConnectionEnd.ForExternal($"203.0.113.{random.Next(256)}");
            var (protocol, port) = ports[random.Next(ports.Length)];
            probes[i] = new ConnectionProbe(src, dst, protocol, port);
        }

        var indexed = new PolicyEvaluator(policies);
        var naive = new PolicyEvaluator(policies, EvaluatorOptions.Default, indexed: false);

        var sw = Stopwatch.StartNew();
        var allowed = 0;
        foreach (var probe in probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            allowed += indexed.Evaluate(probe).Allowed ? 1 : 0;
        }

        var indexedSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var mismatches = 0;
        for (var i = 0; i < NaiveSample; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            mismatches += naive.Evaluate(probes[i]).Allowed == indexed.Evaluate(probes[i]).Allowed ? 0 : 1;
        }

        var naiveSeconds = sw.Elapsed.TotalSeconds;
        var indexedPerProbe = indexedSeconds / Connections;
        var naivePerProbe = naiveSeconds / NaiveSample;
        var ratio = naivePerProbe / indexedPerProbe;
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"policies {policies.Policies.Count}, pods {pods.Length}, connections {Connections:N0} ({allowed:N0} allowed)"));
        output.WriteLine(string.Create(c, $"indexed: {indexedSeconds:F2} s for {Connections:N0} ({Connections / indexedSeconds:N0}/s, {indexedPerProbe * 1e6:F2} us/probe)"));
        output.WriteLine(string.Create(c, $"naive:   {naiveSeconds:F2} s for {NaiveSample:N0} ({NaiveSample / naiveSeconds:N0}/s, {naivePerProbe * 1e6:F2} us/probe), projected {naivePerProbe * Connections:F0} s for {Connections:N0}"));
        output.WriteLine(string.Create(c, $"ratio:   {ratio:F1}x faster indexed; verdict mismatches on the sample: {mismatches}"));
        return Task.FromResult(mismatches == 0 && ratio >= 5 && indexedSeconds < 60);
    }

    private static List<PolicyBase> GeneratePolicies(Random random)
    {
        var result = new List<PolicyBase>();
        for (var n = 0; n < Namespaces; n++)
        {
            var ns = $"ns-{n}";
            for (var p = 0; p < PoliciesPerNamespace; p++)
            {
                var app = new LabelSelector(new Dictionary<string, string> { ["app"] = $"app-{random.Next(PodsPerNamespace / 3)}" });
                var peer = random.Next(3) switch
                {
                    0 => new NetworkPolicyPeer(new LabelSelector(new Dictionary<string, string> { ["app"] = $"app-{random.Next(PodsPerNamespace / 3)}" }), null, null),
                    1 => new NetworkPolicyPeer(new LabelSelector(new Dictionary<string, string> { ["tier"] = "web" }),
                        new LabelSelector(new Dictionary<string, string> { ["team"] = $"team-{random.Next(10)}" }), null),
                    _ => new NetworkPolicyPeer(null, null, new IpBlock("203.0.113.0/25", new IpPrefix(false, 0xCB007100, 25), [])),
                };
                var ports = new List<NetworkPolicyPort> { new(L4Protocol.Tcp, random.Next(2) == 0 ? 80 : 8080, null, null) };
                var rule = new NetworkPolicyRule(0, 0, [peer], ports);
                var egress = random.Next(4) == 0;
                result.Add(new KubernetesNetworkPolicy(new PolicyRef(PolicyKind.NetworkPolicy, ns, $"policy-{p}"), new SourceLocation("generated", p), app,
                    egress ? PolicyTypes.Ingress | PolicyTypes.Egress : PolicyTypes.Ingress, [rule], egress ? [rule with { Ports = null }] : null));
            }
        }

        return result;
    }

    private static ConnectionEnd[] GeneratePods()
    {
        var pods = new ConnectionEnd[Namespaces * PodsPerNamespace];
        for (var n = 0; n < Namespaces; n++)
        {
            var nsLabels = new Dictionary<string, string> { ["team"] = $"team-{n % 10}" };
            for (var p = 0; p < PodsPerNamespace; p++)
            {
                var labels = new Dictionary<string, string> { ["app"] = $"app-{p / 3}", ["tier"] = p % 2 == 0 ? "web" : "db", ["pod-template-hash"] = $"h{p}" };
                var pod = new PodEndpoint($"ns-{n}", $"pod-{p}", labels, nsLabels, null, [$"10.{n / 250}.{n % 250}.{p + 1}"]);
                pods[(n * PodsPerNamespace) + p] = ConnectionEnd.ForPod(pod);
            }
        }

        return pods;
    }
}
