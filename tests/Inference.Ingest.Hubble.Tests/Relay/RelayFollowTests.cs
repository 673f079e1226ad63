using Inference.Ingest.Hubble.Relay;
using Inference.Testing;

namespace Inference.Ingest.Hubble.Tests.Relay;

public sealed class RelayFollowTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-relay-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Follow_streams_until_the_idle_timeout_and_stores_one_edge_per_connection()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(30) });
        var db = _dir.File("follow.duckdb");

        var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.Equal("idle timeout", summary.StopReason);
        var request = Assert.Single(relay.Requests);
        Assert.True(request.Follow);
        Assert.Null(request.Since);
        Assert.Empty(request.Whitelist);
        Assert.Equal(Fixtures.Conversation(30).Count(r => r.Flow is not null), summary.FlowsRead);
        Assert.Equal(30, summary.Connections);
        Assert.Equal(0, summary.LostEvents);

        var edges = RelayTestRun.Edges(db);
        // frontend→cart, frontend→payments, cart→redis, frontend→admin (dropped); replies make no reverse edge
        Assert.Equal(4, edges.Count);
        Assert.Equal(30, edges.Sum(e => e.Connections));
        var admin = Assert.Single(edges, e => e.Edge.Port == 22);
        Assert.Equal(6, admin.Connections);
        Assert.Equal(6, admin.Verdicts["DROPPED"]);
        Assert.Equal(6, admin.DropReasons["POLICY_DENIED"]);
        var audited = edges.Sum(e => e.Verdicts.GetValueOrDefault("AUDIT"));
        Assert.Equal(Enumerable.Range(0, 30).Count(i => i % 5 != 4 && i % 4 == 3), audited);
        Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task A_message_that_cannot_be_decoded_is_reported_and_the_stream_goes_on()
    {
        var good = TestRelay.Preserialize(Fixtures.Conversation(10));
        // field 1 (flow) claims 300 bytes where 2 follow: a truncated message, as a broken proxy might pass on
        var broken = new RawFixture([0x0A, 0xAC, 0x02, 0x08, 0x01], 0, null, null, IsFlow: false);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { RawMessages = [.. good.Take(7), broken, .. good.Skip(7)] });
        var db = _dir.File("undecodable.duckdb");

        var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.Equal("idle timeout", summary.StopReason);
        Assert.Single(relay.Requests);
        Assert.Equal(good.Count, summary.FlowsRead);
        Assert.Equal(10, summary.Connections);
        Assert.Equal(10, RelayTestRun.Edges(db).Sum(e => e.Connections));
        Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("decode", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Follow_stops_after_the_duration_while_the_relay_keeps_the_stream_open()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(5) });
        var db = _dir.File("duration.duckdb");
        var options = RelayTestRun.Options(relay.Address) with { IdleTimeout = null, Duration = TimeSpan.FromSeconds(2) };

        var (summary, _) = await RelayTestRun.FollowAsync(db, options);

        Assert.Equal("duration reached", summary.StopReason);
        Assert.Equal(5, summary.Connections);
        Assert.Single(relay.Requests);
        Assert.Equal(5, RelayTestRun.Edges(db).Sum(e => e.Connections));
    }

    [Fact]
    public async Task Real_captures_stream_through_the_relay_like_the_file_import()
    {
        var responses = Fixtures.Capture("basic-sample-400-tcp-flows.json");
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var db = _dir.File("capture.duckdb");

        var (summary, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.Equal(responses.Count(r => r.Flow is not null), summary.FlowsRead);
        Assert.True(summary.Connections > 0);

        // the same capture imported as a file gives the same edges
        var fileDb = _dir.File("file.duckdb");
        using (var store = Store.InferenceStore.Open(fileDb))
        {
            await Pipeline.HubbleIngestRunner.ImportFileAsync(store, TestPaths.HubbleSample("basic-sample-400-tcp-flows.json"),
                new Pipeline.IngestOptions { Source = "file", SourceKind = "hubble-file" }, _ => { }, TimeProvider.System, CancellationToken.None);
        }

        Assert.Equal(RelayTestRun.Lines(fileDb), RelayTestRun.Lines(db));
    }

    [Fact]
    public async Task A_relay_run_over_time_a_file_import_holds_says_so_but_not_of_its_own_earlier_run()
    {
        var responses = Fixtures.Capture("basic-sample-400-tcp-flows.json");
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var db = _dir.File("relay-after-file.duckdb");
        using (var store = Store.InferenceStore.Open(db))
        {
            await Pipeline.HubbleIngestRunner.ImportFileAsync(store, TestPaths.HubbleSample("basic-sample-400-tcp-flows.json"),
                new Pipeline.IngestOptions { Source = "hubble-file:capture", SourceKind = "hubble-file" }, _ => { }, TimeProvider.System, CancellationToken.None);
        }

        var (first, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
        var (again, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        var shared = Assert.Single(first.SharedCoverage);
        Assert.Equal("hubble-file:capture", shared.Source);
        Assert.NotEmpty(shared.Nodes);
        Assert.True(shared.ToNs > shared.FromNs);
        // the second run resumed from the first: what it was sent again was dropped, and it says nothing of the file again
        Assert.Equal(0, again.Connections);
        Assert.Empty(again.SharedCoverage);
    }
}
