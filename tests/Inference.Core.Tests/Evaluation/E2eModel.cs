using System.Text;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Tests.Evaluation;

/// <summary>
/// The upstream e2e model: namespaces x, y, z (label ns=NAME), pods a, b, c (label pod=NAME), each serving 80 and 81 on
/// TCP, UDP and SCTP with port names serve-PORT-PROTO. Pod IPs are 10.0.N.M so ipBlock cases can name them.
/// </summary>
internal static class E2eModel
{
    public static readonly string[] Namespaces = ["x", "y", "z"];
    public static readonly string[] PodNames = ["a", "b", "c"];

    public static ClusterSnapshot Snapshot(Func<string, string, IReadOnlyDictionary<string, string>>? podLabels = null,
        Func<string, IReadOnlyDictionary<string, string>>? nsLabels = null)
    {
        var namespaces = Namespaces.Select(ns => new KeyValuePair<string, IReadOnlyDictionary<string, string>>(ns,
            nsLabels?.Invoke(ns) ?? new Dictionary<string, string> { ["ns"] = ns }));
        var pods = new List<PodEndpoint>();
        for (var n = 0; n < Namespaces.Length; n++)
        {
            for (var p = 0; p < PodNames.Length; p++)
            {
                var ns = Namespaces[n];
                var name = PodNames[p];
                pods.Add(new PodEndpoint(ns, name, podLabels?.Invoke(ns, name) ?? new Dictionary<string, string> { ["pod"] = name },
                    new Dictionary<string, string>(), Ports, [Ip(ns, name)], "node-1", "192.168.0.1"));
            }
        }

        return ClusterSnapshot.Create(namespaces, pods);
    }

    public static readonly ContainerPort[] Ports =
    [
        new("serve-80-tcp", 80, L4Protocol.Tcp), new("serve-80-udp", 80, L4Protocol.Udp), new("serve-80-sctp", 80, L4Protocol.Sctp),
        new("serve-81-tcp", 81, L4Protocol.Tcp), new("serve-81-udp", 81, L4Protocol.Udp), new("serve-81-sctp", 81, L4Protocol.Sctp),
    ];

    public static string Ip(string ns, string pod) => $"10.0.{Array.IndexOf(Namespaces, ns) + 1}.{Array.IndexOf(PodNames, pod) + 1}";

    public static PolicySet PolicySetOf(string yaml)
    {
        var result = PolicyParser.Parse(yaml, "test.yaml");
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return PolicySet.Create(result.Policies);
    }

    public static EvaluationResult Probe(PolicyEvaluator evaluator, ClusterSnapshot snapshot, string from, string to, L4Protocol protocol, int port)
    {
        var src = snapshot.FindPod(from.Split('/')[0], from.Split('/')[1])!;
        var dst = snapshot.FindPod(to.Split('/')[0], to.Split('/')[1])!;
        return evaluator.Evaluate(new ConnectionProbe(ConnectionEnd.ForPod(src), ConnectionEnd.ForPod(dst), protocol, port));
    }

    /// <summary>Evaluates all 9x9 probes and compares with the expectation, ignoring the diagonal like the e2e suite.</summary>
    public static void AssertMatrix(string yaml, Reachability expected, L4Protocol protocol, int port, bool ipBlockMatchesPods = true, ClusterSnapshot? snapshot = null)
    {
        snapshot ??= Snapshot();
        var evaluator = new PolicyEvaluator(PolicySetOf(yaml), new EvaluatorOptions { IpBlockMatchesPodIps = ipBlockMatchesPods });
        var wrong = new StringBuilder();
        foreach (var from in Reachability.All)
        {
            foreach (var to in Reachability.All)
            {
                if (from == to)
                {
                    continue;
                }

                var actual = Probe(evaluator, snapshot, from, to, protocol, port).Allowed;
                if (actual != expected[from, to])
                {
                    wrong.AppendLine($"{from} -> {to} {protocol.ToWire()}/{port}: expected {(expected[from, to] ? "allowed" : "denied")}, got {(actual ? "allowed" : "denied")}");
                }
            }
        }

        Assert.True(wrong.Length == 0, "reachability differs:\n" + wrong + "\nexpected:\n" + expected);
    }
}

/// <summary>A truth table over the 9 e2e pods, with the upstream helpers' vocabulary.</summary>
internal sealed class Reachability
{
    public static readonly string[] All = [.. E2eModel.Namespaces.SelectMany(ns => E2eModel.PodNames.Select(p => $"{ns}/{p}"))];
    private readonly Dictionary<(string, string), bool> _matrix = [];

    public Reachability(bool defaultExpectation = true)
    {
        foreach (var f in All)
        {
            foreach (var t in All)
            {
                _matrix[(f, t)] = defaultExpectation;
            }
        }
    }

    public bool this[string from, string to] => _matrix[(from, to)];

    public Reachability Expect(string from, string to, bool allowed)
    {
        _matrix[(from, to)] = allowed;
        return this;
    }

    /// <summary>Like upstream ExpectPeer: null namespace or pod means "any".</summary>
    public Reachability ExpectPeer(string? fromNs, string? fromPod, string? toNs, string? toPod, bool allowed)
    {
        foreach (var f in All.Where(p => Matches(p, fromNs, fromPod)))
        {
            foreach (var t in All.Where(p => Matches(p, toNs, toPod)))
            {
                _matrix[(f, t)] = allowed;
            }
        }

        return this;
    }

    public Reachability ExpectAllIngress(string to, bool allowed) => ExpectPeer(null, null, to.Split('/')[0], to.Split('/')[1], allowed);
    public Reachability ExpectAllEgress(string from, bool allowed) => ExpectPeer(from.Split('/')[0], from.Split('/')[1], null, null, allowed);

    private static bool Matches(string pod, string? ns, string? name) =>
        (ns is null || pod.StartsWith(ns + "/", StringComparison.Ordinal)) && (name is null || pod.EndsWith("/" + name, StringComparison.Ordinal));

    public override string ToString()
    {
        var sb = new StringBuilder("      ").AppendJoin(' ', All.Select(a => a.Replace("/", "", StringComparison.Ordinal))).AppendLine();
        foreach (var f in All)
        {
            sb.Append(f).Append("   ").AppendJoin("  ", All.Select(t => f == t ? "." : this[f, t] ? "X" : "-")).AppendLine();
        }

        return sb.ToString();
    }
}
