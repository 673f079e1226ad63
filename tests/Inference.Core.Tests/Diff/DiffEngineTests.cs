using Inference.Core.Diff;
using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Core.Tests.Diff;

public sealed class DiffEngineTests
{
    private const string AllEgress = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: open, namespace: big}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress: [{}]
        """;

    private const string EgressOnlyTypes = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: api, namespace: big}
        spec:
          podSelector: {matchLabels: {app: w0}}
          policyTypes: [Egress]
          ingress:
            - from: [{podSelector: {}}]
          egress:
            - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
        """;

    [Fact]
    public void Over_broad_counts_combinations_without_enumerating_them()
    {
        // 2,000 workloads each serving one port, one all-egress rule over all of them: 4,000,000 admitted combinations
        var f = new DiffFixture();
        var workloads = Enumerable.Range(0, 2000).Select(i => f.W("big", $"w{i}")).ToList();
        for (var i = 0; i < workloads.Count; i++)
        {
            f.Edge(workloads[i], workloads[(i + 1) % workloads.Count], 8000 + (i % 3));
        }

        var report = f.Run(DiffFixture.Policies(AllEgress));
        var item = Assert.Single(report.OverBroad);
        Assert.Equal(2000L * 2000, item.AdmittedCombinations);
        Assert.Equal(2000, item.UsedCombinations);
        Assert.Contains(item.Allows, a => a.StartsWith("all egress", StringComparison.Ordinal));
        Assert.Equal(5, item.UnusedSamples.Count);
    }

    [Fact]
    public void Rules_of_a_direction_left_out_of_policyTypes_are_unused_and_a_whole_cidr_is_named()
    {
        var f = new DiffFixture();
        var a = f.W("big", "w0");
        var b = f.W("big", "w1");
        f.Edge(b, a, 80).Edge(a, Peer.ForEntity(EntityKind.World, "198.51.100.4"), 443);
        var report = f.Run(DiffFixture.Policies(EgressOnlyTypes));
        var ignored = Assert.Single(report.Unused.Rules);
        Assert.Equal(UnusedReason.DirectionNotInEffect, ignored.Reason);
        Assert.Equal("big/api ingress[0]", ignored.Rule.ToString());
        var cidr = Assert.Single(report.OverBroad);
        Assert.Contains(cidr.Allows, x => x.StartsWith("a whole CIDR: 0.0.0.0/0", StringComparison.Ordinal));
        Assert.Equal("world:198.51.100.4", Assert.Single(cidr.Used).Peer.ToString());
        Assert.Empty(report.WouldBreak);
    }

    [Fact]
    public void Hubble_audit_disagrees_when_files_allow_and_a_policy_drop_agrees_when_files_deny()
    {
        var f = new DiffFixture();
        var a = f.W("big", "w0");
        var b = f.W("big", "w1");
        var c = f.W("other", "w2");
        f.Edge(a, b, 80, verdict: "AUDIT").Edge(c, a, 22, verdict: "DROPPED", dropReason: "POLICY_DENIED").Edge(c, b, 22, verdict: "DROPPED", dropReason: "CT_MAP_INSERTION_FAILED");
        var policies = DiffFixture.Policies("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: w0-in, namespace: big}
            spec:
              podSelector: {matchLabels: {app: w0}}
              ingress:
                - from: [{podSelector: {}}]
            """);
        var report = f.Run(policies);
        var d = Assert.Single(report.ClusterDisagrees);
        Assert.Equal(new EdgeKey(a, b, L4Protocol.Tcp, 80, null), d.Connection.Edge);
        Assert.StartsWith("allow", d.FilesSay, StringComparison.Ordinal);
        // an audited connection the files allow is not a would-break; dropped ones are not legitimate traffic
        Assert.Empty(report.WouldBreak);
    }

    [Fact]
    public void Same_observations_in_any_order_give_the_same_report()
    {
        var (f1, f2) = (new DiffFixture(), new DiffFixture());
        var names = Enumerable.Range(0, 30).Select(i => $"w{i}").ToList();
        foreach (var (f, order) in new[] { (f1, names), (f2, names.AsEnumerable().Reverse().ToList()) })
        {
            var peers = order.Select(n => f.W("big", n)).OrderBy(p => p).ToList();
            foreach (var i in order.Select(n => int.Parse(n[1..], System.Globalization.CultureInfo.InvariantCulture)))
            {
                f.Edge(peers[i], peers[(i * 7 + 3) % peers.Count], 80 + (i % 4), connections: i + 1);
            }
        }

        var policies = DiffFixture.Policies(AllEgress, EgressOnlyTypes);
        Assert.Equal(Render(f1.Run(policies)), Render(f2.Run(policies)));
    }

    private static string Render(DiffReport r) => string.Join("\n",
        r.WouldBreak.Select(b => b.Connection.Edge.ToString())
            .Concat(r.OverBroad.Select(o => $"{o.Rule} {o.AdmittedCombinations} {o.UsedCombinations} {string.Join(",", o.UnusedSamples)} {string.Join(",", o.Used.Select(u => u.Peer))}"))
            .Concat(r.Unused.Rules.Select(u => u.Rule.ToString()))
            .Concat(r.ClusterDisagrees.Select(d => d.Connection.Edge.ToString())));
}
