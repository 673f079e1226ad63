using Inference.Ingest.Calico.Bridge;
using Inference.Ingest.Calico.Goldmane.Api;
using Inference.Ingest.Calico.Kafka;
using Inference.Ingest.Calico.Tests.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Action = Inference.Ingest.Calico.Goldmane.Api.Action;

namespace Inference.Ingest.Calico.Tests.Goldmane;

/// <summary>Goldmane (test server, mTLS) → bridge → Kafka (mock cluster) → consumer → store, end to end, with a restart mid-window.</summary>
public sealed class GoldmaneBridgeTests
{
    private const long T0 = 1_767_225_600;

    private static Flow Make(long start, string src, string dst, int port, Reporter reporter, long started, bool stagedDeny = false)
    {
        var key = new FlowKey
        {
            SourceName = src, SourceNamespace = "shop", SourceType = EndpointType.WorkloadEndpoint,
            DestName = dst, DestNamespace = "shop", DestType = EndpointType.WorkloadEndpoint,
            DestPort = port, Proto = "tcp", Reporter = reporter, Action = Action.Allow,
            DestServiceName = "-", DestServiceNamespace = "-", DestServicePortName = "-",
            Policies = new PolicyTrace(),
        };
        var allow = new PolicyHit { Kind = PolicyKind.NetworkPolicy, Namespace = "shop", Name = "allow-" + dst, Tier = "default", Action = Action.Allow, PolicyIndex = 0, RuleIndex = 0 };
        key.Policies.EnforcedPolicies.Add(allow);
        key.Policies.PendingPolicies.Add(stagedDeny && reporter == Reporter.Dst
            ? new PolicyHit { Kind = PolicyKind.EndOfTier, Tier = "default", Action = Action.Deny, PolicyIndex = 0, RuleIndex = -1, Trigger = new PolicyHit { Kind = PolicyKind.StagedKubernetesNetworkPolicy, Namespace = "shop", Name = "lockdown", Tier = "default" } }
            : allow);
        var flow = new Flow { Key = key, StartTime = start, EndTime = start + 15, NumConnectionsStarted = started, NumConnectionsLive = started };
        flow.SourceLabels.Add("app=" + src.Split('-')[0]);
        flow.DestLabels.Add("app=" + dst.Split('-')[0]);
        return flow;
    }

    /// <summary>Six 15 s windows, two edges, both reporters; frontend→cart has a staged deny pending.</summary>
    private static List<Flow> Windows(int count) =>
        Enumerable.Range(0, count).SelectMany(w => new[]
        {
            Make(T0 + (w * 15), "frontend-7d4f8b9c6-*", "cart-6f8d9c7b5-*", 7070, Reporter.Src, 3 + w, stagedDeny: true),
            Make(T0 + (w * 15), "frontend-7d4f8b9c6-*", "cart-6f8d9c7b5-*", 7070, Reporter.Dst, 3 + w, stagedDeny: true),
            Make(T0 + (w * 15), "cart-6f8d9c7b5-*", "redis-0", 6379, Reporter.Src, 2),
            Make(T0 + (w * 15), "cart-6f8d9c7b5-*", "redis-0", 6379, Reporter.Dst, 2),
        }).ToList();

    private static GoldmaneBridgeOptions Options(TestGoldmaneServer goldmane, TestCertificates tls, MockKafka kafka) => new()
    {
        Goldmane = goldmane.Address,
        TlsCaCertFiles = [tls.CaFile],
        TlsClientCertFile = tls.ClientCertFile,
        TlsClientKeyFile = tls.ClientKeyFile,
        TlsServerName = TestCertificates.ServerName,
        Brokers = kafka.BootstrapServers,
        Topic = "goldmane",
        Duration = TimeSpan.FromSeconds(4),
        StartTime = T0,
    };

    [Fact]
    public async Task Flows_cross_the_bridge_once_each_across_a_restart_mid_window_and_land_in_the_edge_model()
    {
        using var tls = new TestCertificates();
        await using var goldmane = await TestGoldmaneServer.StartAsync(tls);
        using var kafka = MockKafka.Start();
        kafka.CreateTopic("goldmane", 2);
        var all = Windows(6);

        // first run: Goldmane has three windows, the third only partly (the bridge stopped mid-window)
        goldmane.Service.Hold(all.Take(10));
        var first = await new GoldmaneBridge(Options(goldmane, tls, kafka), NullLogger.Instance, TimeProvider.System).RunAsync(CancellationToken.None);
        Assert.Equal(10, first.Produced);

        // second run: Goldmane moved on; the bridge resumes from the window before the newest and skips what it sent
        goldmane.Service.Hold(all);
        var second = await new GoldmaneBridge(Options(goldmane, tls, kafka), NullLogger.Instance, TimeProvider.System).RunAsync(CancellationToken.None);
        Assert.Equal(all.Count - 10, second.Produced);
        Assert.Equal(T0 + 15, second.ResumedFrom);
        Assert.Equal(6, second.SkippedAlreadyProduced);
        Assert.Equal([T0, T0 + 15], goldmane.Service.StreamRequests);

        using var db = new TestStore();
        var ingest = await IngestRun.RunAsync(db.Path_, kafka.BootstrapServers, "goldmane", "inference", TimeSpan.FromSeconds(4));
        Assert.Equal(all.Count, ingest.Records);
        Assert.Equal(0, ingest.DeadLetters);

        var edges = IngestRun.Edges(db.Path_).ToDictionary(e => e.Edge.ToString());
        var frontendCart = edges["shop/frontend (Deployment) -> shop/cart (Deployment) TCP/7070"];
        Assert.Equal(Enumerable.Range(0, 6).Sum(w => 3L + w), frontendCart.Connections); // both reporters, counted once
        Assert.Equal(frontendCart.Connections, frontendCart.Verdicts["AUDIT"]);
        var cartRedis = edges["shop/cart (Deployment) -> shop/redis (StatefulSet) TCP/6379"];
        Assert.Equal((12L, 12L), (cartRedis.Connections, cartRedis.Verdicts["FORWARDED"]));
    }
}
