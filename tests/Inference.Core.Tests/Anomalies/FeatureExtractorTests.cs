using Inference.Core.Anomalies;
using Inference.Core.Flows;
using Inference.Core.Tests.Coverage;
using static Inference.Core.Tests.Coverage.ActivityBuilder;

namespace Inference.Core.Tests.Anomalies;

public sealed class FeatureExtractorTests
{
    private static EdgeFeatures For(IReadOnlyList<EdgeFeatures> all, EdgeKey edge) => all.Single(f => f.Edge == edge);

    [Fact]
    public void Fan_out_counts_destinations_and_ports_a_source_touched_in_one_minute()
    {
        var b = new ActivityBuilder();
        var scanner = W("shop", "stranger");
        for (var i = 0; i < 10; i++)
        {
            b.Add(Edge(scanner, W("shop", "t" + i), 1000 + (i % 4)), Start.AddMinutes(5).AddSeconds(i));
        }

        var calm = Edge(W("shop", "a"), W("shop", "b"), 80);
        b.Add(calm, Start).Add(calm, Start.AddHours(2));
        var features = FeatureExtractor.Extract(b.Build());
        var probe = For(features, Edge(scanner, W("shop", "t3"), 1003));
        Assert.Equal(10, probe[EdgeFeature.FanOutWorkloads]);
        // ten destinations on four port numbers: ten destination ports
        Assert.Equal(10, probe[EdgeFeature.FanOutPorts]);
        Assert.Equal(1, For(features, calm)[EdgeFeature.FanOutWorkloads]);
    }

    [Fact]
    public void Regularity_days_hours_first_seen_and_burstiness()
    {
        var b = new ActivityBuilder();
        var nightly = Edge(W("batch", "report", WorkloadKind.CronJob), W("data", "pg"), 5432);
        b.Every(nightly, TimeSpan.FromDays(1), Start.AddHours(2), TimeSpan.FromDays(7));
        var burst = Edge(W("p", "orders"), W("p", "x"), 443);
        b.Add(burst, Start.AddDays(6), 300);
        var f = FeatureExtractor.Extract(b.Build(Start, Start.AddDays(7)));

        var n = For(f, nightly);
        Assert.Equal(7, n[EdgeFeature.ActiveDays]);
        Assert.Equal(7, n[EdgeFeature.ActiveHours]);
        Assert.Equal(6 / 7.0, n[EdgeFeature.Regularity], 6);
        Assert.Equal(2 / 168.0, n[EdgeFeature.FirstSeen], 6);

        var x = For(f, burst);
        Assert.Equal(0, x[EdgeFeature.Regularity]);
        Assert.Equal(6 / 7.0, x[EdgeFeature.FirstSeen], 6);
        Assert.Equal(Math.Log(301) - Math.Log(1 + (300 / 168.0)), x[EdgeFeature.Burstiness], 6);
        Assert.Equal(Math.Log(301), x.Model[EdgeFeature.Connections.Index], 6);
    }

    [Fact]
    public void Cross_namespace_dropped_share_port_rarity_and_new_domain()
    {
        var b = new ActivityBuilder();
        var a = Edge(W("x", "a"), W("y", "b"), 9000);
        b.Add(a, Start, 3).Add(a, Start.AddHours(1), 1, dropped: true);
        var shared1 = Edge(W("x", "c"), W("x", "d"), 53, L4Protocol.Udp);
        var shared2 = Edge(W("x", "e"), W("x", "d"), 53, L4Protocol.Udp);
        b.Add(shared1, Start).Add(shared2, Start);
        var world = Peer.ForEntity(EntityKind.World, "198.51.100.1", ["new.example"]);
        var ext = Edge(W("x", "a"), world, 443);
        b.Add(ext, Start.AddHours(10));
        var resolved = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { ["new.example"] = Start.AddHours(5) };
        var f = FeatureExtractor.Extract(b.Build(Start, Start.AddHours(10), resolved));

        Assert.Equal(1, For(f, a)[EdgeFeature.CrossNamespace]);
        Assert.Equal(0.25, For(f, a)[EdgeFeature.DroppedShare]);
        Assert.Equal(1, For(f, a)[EdgeFeature.PortRarity]);
        Assert.Equal(0.5, For(f, shared1)[EdgeFeature.PortRarity]);
        Assert.Equal(0, For(f, shared1)[EdgeFeature.CrossNamespace]);
        Assert.Equal(0.5, For(f, ext)[EdgeFeature.NewDomain], 6);
        Assert.Equal(0, For(f, ext)[EdgeFeature.CrossNamespace]);
    }
}
