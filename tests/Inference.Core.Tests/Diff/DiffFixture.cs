using Inference.Core.Diff;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Policies;

namespace Inference.Core.Tests.Diff;

/// <summary>Builds observations and policy sets by hand: workloads labelled app=name, edges with verdict counts.</summary>
internal sealed class DiffFixture
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<Peer, ObservedWorkload> _workloads = [];
    private readonly List<ObservedEdge> _edges = [];

    public Peer W(string ns, string name, WorkloadKind kind = WorkloadKind.Deployment, params string[] extraLabels)
    {
        var peer = Peer.ForWorkload(ns, name, kind);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = name };
        foreach (var l in extraLabels)
        {
            var kv = l.Split('=');
            labels[kv[0]] = kv[1];
        }

        _workloads[peer] = new ObservedWorkload(peer, labels, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns });
        return peer;
    }

    public DiffFixture Edge(Peer source, Peer destination, int port, long connections = 10, string verdict = "FORWARDED", L4Protocol protocol = L4Protocol.Tcp,
        string? dropReason = null, int hour = 0)
    {
        var verdicts = new Dictionary<string, long> { [verdict] = connections };
        var reasons = dropReason is null ? new Dictionary<string, long>() : new Dictionary<string, long> { [dropReason] = connections };
        _edges.Add(new ObservedEdge(new EdgeKey(source, destination, protocol, port, null), connections, verdicts, reasons, T0.AddHours(hour), T0.AddHours(hour + 1), 1));
        return this;
    }

    public Observations Observations => new([.. _edges], [.. _workloads.Values], [], [], []);

    public static PolicySet Policies(params string[] yaml)
    {
        var policies = new List<PolicyBase>();
        for (var i = 0; i < yaml.Length; i++)
        {
            var result = PolicyParser.Parse(yaml[i], $"policies-{i}.yaml");
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            policies.AddRange(result.Policies);
        }

        return PolicySet.Create(policies);
    }

    public DiffReport Run(PolicySet policies, IReadOnlyList<ClusterPolicyVerdict>? verdicts = null) =>
        DiffEngine.Run(new DiffInput { Deployed = policies, Observed = Observations, ClusterVerdicts = verdicts ?? [] }, CancellationToken.None);
}
