using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Identity;
using Inference.Core.Policies;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Suggest;

/// <summary>
/// Judges written policies against a scenario's ground truth with the evaluator, over every pair of workloads (and
/// the external peers) and every port the scenario used: what happened must be allowed, for the pods seen and for the
/// replicas and CronJob runs not born yet; what did not happen must be denied. DNS from a pod to the resolver is allowed.
/// </summary>
internal static class GroundTruth
{
    private static readonly string[] Allowed = ["FORWARDED", "AUDIT", "REDIRECTED"];

    public static PolicySet Load(string directory)
    {
        var policies = new List<PolicyBase>();
        foreach (var file in Directory.GetFiles(directory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var parsed = PolicyParser.Parse(File.ReadAllText(file), file);
            Assert.False(parsed.HasErrors, string.Join("\n", parsed.Diagnostics));
            policies.AddRange(parsed.Policies);
        }

        return PolicySet.Create(policies);
    }

    public static List<string> Mismatches(PolicySet policies, IReadOnlyList<ScenarioConnection> truth, string resolverWorkload = "coredns")
    {
        var evaluator = new PolicyEvaluator(policies);
        var happened = truth.Where(c => Allowed.Contains(c.Verdict) && !IsHost(c.Source))
            .Select(c => (Key(c.Source), Key(c.Destination), c.Protocol, c.Port)).ToHashSet();
        var ports = truth.Select(c => (c.Protocol, c.Port)).Distinct().OrderBy(p => p).ToList();
        var ends = truth.SelectMany(c => new[] { c.Source, c.Destination }).Where(e => !IsHost(e))
            .GroupBy(Key).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Ends(g.ToList()));
        var mismatches = new List<string>();
        foreach (var (a, sources) in ends)
        {
            foreach (var (b, destinations) in ends)
            {
                foreach (var (protocol, port) in ports)
                {
                    L4ProtocolNames.TryParse(protocol, out var proto);
                    var isDns = b.EndsWith("/" + resolverWorkload, StringComparison.Ordinal) && port == 53;
                    bool? expected = happened.Contains((a, b, protocol, port)) || (isDns && !a.StartsWith("world", StringComparison.Ordinal)) ? true
                        : isDns ? null : false;
                    if (expected is null || (sources[0].Kind != EndKind.Pod && destinations[0].Kind != EndKind.Pod))
                    {
                        continue;
                    }

                    foreach (var src in sources)
                    {
                        foreach (var dst in destinations)
                        {
                            if (src.Pod is not null && ReferenceEquals(src.Pod, dst.Pod))
                            {
                                // a pod cannot block itself
                                continue;
                            }

                            var allowed = evaluator.Evaluate(new ConnectionProbe(src, dst, proto, port)).Allowed;
                            if (allowed != expected)
                            {
                                mismatches.Add($"{src} -> {dst} {protocol}/{port}: {(allowed ? "allowed" : "denied")}, expected {(expected.Value ? "allowed" : "denied")}");
                            }
                        }
                    }
                }
            }
        }

        return mismatches;
    }

    private static bool IsHost(ScenarioEndpoint e) => e.Labels.Contains("reserved:host");

    private static string Key(ScenarioEndpoint e) => e.Workload is null ? $"world:{e.Ip}" : $"{e.Namespace}/{e.Workload}";

    /// <summary>Every pod seen, plus the next one: volatile labels renewed and the release label bumped, as after a rollout or the next run.</summary>
    private static List<ConnectionEnd> Ends(List<ScenarioEndpoint> seen)
    {
        var first = seen[0];
        if (first.Workload is null)
        {
            var names = first.Ip == "52.1.2.3" ? new[] { "api.stripe.com" } : [];
            return [ConnectionEnd.ForExternal(first.Ip, names)];
        }

        var pods = seen.DistinctBy(e => e.Pod).Select(e => Pod(e, e.Pod!, e.Labels)).ToList();
        var next = first.Labels.Select(l =>
        {
            var eq = l.IndexOf('=', StringComparison.Ordinal);
            var key = l[..eq].Replace("k8s:", "", StringComparison.Ordinal);
            return VolatileLabels.IsVolatile(key) || key == "app.kubernetes.io/version" ? l + "-next" : l;
        }).ToList();
        pods.Add(Pod(first, first.Workload + "-unborn", next));
        return pods;
    }

    private static ConnectionEnd Pod(ScenarioEndpoint e, string name, IEnumerable<string> labels)
    {
        var map = labels.Select(l => l.Split('=', 2)).ToDictionary(p => CiliumLabels.NormalizeKey(p[0]), p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
        return ConnectionEnd.ForPod(PodEndpoint.FromIdentityLabels(e.Namespace!, name, map, null));
    }
}
