using Cilium.Flow;
using Cilium.Observer;
using Cilium.Relay;
using Inference.Ingest.Hubble.Relay;
using Inference.Testing;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Hubble.Tests.Relay;

public sealed class RelayStatusAndFilterTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-relay-status-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Node_status_and_lost_events_are_recorded_for_inference_status()
    {
        var t0 = Fixtures.Epoch;
        var responses = new List<GetFlowsResponse> { Fixtures.NodeStatus(t0.AddSeconds(-1), NodeState.NodeConnected, "connected", "node-1", "node-2") };
        responses.AddRange(Fixtures.Conversation(6, t0));
        responses.Add(Fixtures.Lost(t0.AddSeconds(7), "node-2", LostEventSource.HubbleRingBuffer, 42));
        responses.Add(Fixtures.NodeStatus(t0.AddSeconds(8), NodeState.NodeUnavailable, "connection refused", "node-3"));
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var db = _dir.File("status.duckdb");

        var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.Equal(42, summary.LostEvents);
        Assert.Equal(6, summary.Connections);
        var status = RelayTestRun.Status(db);
        var lost = Assert.Single(status.LostEvents);
        Assert.Equal("node-2", lost.Node);
        Assert.Equal(42, lost.Count);
        Assert.Contains("RING_BUFFER", lost.LostSource, StringComparison.Ordinal);
        var unavailable = Assert.Single(status.UnavailableNodes);
        Assert.Equal("node-3", unavailable.Node);
        Assert.Equal("NODE_UNAVAILABLE", unavailable.State);
        Assert.Equal("connection refused", unavailable.Message);
        var warnings = log.Messages(LogLevel.Warning).ToList();
        Assert.Contains(warnings, m => m.Contains("42", StringComparison.Ordinal) && m.Contains("node-2", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains("node-3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespaces_are_sent_as_whitelist_filters_and_only_their_flows_are_stored()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(30) });
        var db = _dir.File("ns.duckdb");

        await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address) with { Namespaces = ["billing"] });

        var request = Assert.Single(relay.Requests);
        Assert.Equal(2, request.Whitelist.Count);
        Assert.Contains(request.Whitelist, f => f.SourcePod.SequenceEqual(["billing/"]) && f.DestinationPod.Count == 0);
        Assert.Contains(request.Whitelist, f => f.DestinationPod.SequenceEqual(["billing/"]) && f.SourcePod.Count == 0);
        var edge = Assert.Single(RelayTestRun.Edges(db));
        Assert.Equal(9090, edge.Edge.Port);
        Assert.Equal(Enumerable.Range(0, 30).Count(i => i % 3 == 1 && i % 5 != 4), edge.Connections);
    }

    [Fact]
    public async Task Since_is_sent_on_the_first_connect()
    {
        var responses = Fixtures.Conversation(20);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var db = _dir.File("since.duckdb");

        var (summary, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address) with { Since = Fixtures.Epoch.AddSeconds(10) });

        var request = Assert.Single(relay.Requests);
        Assert.Equal(Fixtures.Ns(Fixtures.Epoch.AddSeconds(10)), Fixtures.Ns(request.Since));
        Assert.Equal(10, summary.Connections);
    }

    [Fact]
    public async Task An_unreachable_relay_is_logged_clearly_and_keeps_what_was_stored()
    {
        var db = _dir.File("unreachable.duckdb");
        string address;
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(10) }))
        {
            address = relay.Address;
            await RelayTestRun.FollowAsync(db, RelayTestRun.Options(address));
        }

        var before = RelayTestRun.Lines(db);
        Assert.NotEmpty(before);

        // the relay is gone: the follower retries with backoff and, at the idle timeout, fails saying why
        var ex = await Assert.ThrowsAsync<Inference.Ingest.Hubble.Relay.RelayException>(() => RelayTestRun.FollowAsync(db, RelayTestRun.Options(address, TimeSpan.FromSeconds(1.5))));

        Assert.Contains(address, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Unavailable", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, RelayTestRun.Lines(db));
        Assert.Equal(10, Assert.Single(RelayTestRun.Status(db).Sources).Connections);
    }

    [Fact]
    public async Task An_address_without_a_port_fails_at_once_and_keeps_what_was_stored()
    {
        var db = _dir.File("badaddress.duckdb");
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(5) }))
        {
            await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
        }

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RelayTestRun.FollowAsync(db, RelayTestRun.Options("hubble-relay") with { IdleTimeout = null }));

        Assert.Contains("HOST:PORT", ex.Message, StringComparison.Ordinal);
        Assert.Equal(5, RelayTestRun.Edges(db).Sum(e => e.Connections));
    }
}
