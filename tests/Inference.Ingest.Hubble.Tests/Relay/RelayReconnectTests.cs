using Cilium.Observer;
using Inference.Ingest.Hubble.Relay;
using Inference.Store;
using Inference.Testing;

namespace Inference.Ingest.Hubble.Tests.Relay;

public sealed class RelayReconnectTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-reconnect-");

    public void Dispose() => _dir.Dispose();

    private async Task<IReadOnlyList<string>> Baseline(IReadOnlyList<GetFlowsResponse> responses)
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var db = _dir.File("baseline.duckdb");
        await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
        return RelayTestRun.Lines(db);
    }

    [Theory]
    [InlineData(RelayFault.Abort, 37)]
    [InlineData(RelayFault.Unavailable, 37)]
    [InlineData(RelayFault.Unavailable, 1)]
    public async Task A_stream_dropped_mid_way_is_resumed_without_gap_or_duplicate(RelayFault fault, int after)
    {
        var responses = Fixtures.Conversation(40);
        var expected = await Baseline(responses);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses, Fault = fault, FaultAfterMessages = after });
        var db = _dir.File("faulty.duckdb");

        var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.True(relay.Requests.Count >= 2, log.Text);
        Assert.Contains(log.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("reconnecting", StringComparison.Ordinal));
        Assert.Equal(40, summary.Connections);
        Assert.Equal(expected, RelayTestRun.Lines(db));
        var status = RelayTestRun.Status(db);
        Assert.Empty(status.Gaps);
        var source = Assert.Single(status.Sources);
        Assert.Equal(40, source.Connections);
    }

    [Fact]
    public async Task What_the_relay_buffer_lost_while_disconnected_is_recorded_as_a_gap()
    {
        // one connection a second; the stream breaks after 20 messages and, by the reconnect, the relay's ring buffer
        // only reaches back to second 90: everything between is gone and must be reported, not silently skipped
        var responses = Fixtures.Conversation(120);
        var bufferStart = Fixtures.Epoch.AddSeconds(90);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions
        {
            Responses = responses, Fault = RelayFault.Unavailable, FaultAfterMessages = 20, BufferStartAfterFirstCall = bufferStart,
        });
        var db = _dir.File("gap.duckdb");

        var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.True(relay.Requests.Count >= 2, log.Text);
        var lastBefore = responses.Take(20).Max(Fixtures.TimeNs);
        var firstAfter = responses.Where(r => r.Flow is not null).Select(Fixtures.TimeNs).Where(t => t >= Fixtures.Ns(bufferStart)).Min();
        var gap = Assert.Single(RelayTestRun.Status(db).Gaps);
        Assert.Equal(lastBefore, Fixtures.Ns(gap.From));
        Assert.Equal(firstAfter, Fixtures.Ns(gap.To));
        Assert.Contains("ring buffer", gap.Reason, StringComparison.Ordinal);
        Assert.Contains(log.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("gap", StringComparison.OrdinalIgnoreCase));
        // what was received on both sides of the gap is stored, once
        // a connection is its client's ephemeral port (30000 + i), whichever direction the message went
        var seenBefore = responses.Take(20).Where(r => r.Flow is not null).Select(r => Math.Max(r.Flow.L4.TCP.SourcePort, r.Flow.L4.TCP.DestinationPort)).Distinct().Count();
        Assert.Equal(seenBefore + 30, summary.Connections);
    }

    [Fact]
    public async Task The_reconnect_asks_for_the_last_flow_seen_minus_the_margin()
    {
        var responses = Fixtures.Conversation(40);
        const int after = 25;
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses, Fault = RelayFault.Unavailable, FaultAfterMessages = after });
        var db = _dir.File("resume.duckdb");
        var options = RelayTestRun.Options(relay.Address) with { ResumeMargin = TimeSpan.FromSeconds(10) };

        var (summary, log) = await RelayTestRun.FollowAsync(db, options);

        Assert.True(relay.Requests.Count >= 2, log.Text);
        var lastSeen = responses.Take(after).Max(Fixtures.TimeNs);
        var resumed = relay.Requests[1];
        Assert.NotNull(resumed.Since);
        Assert.Equal(lastSeen - (long)TimeSpan.FromSeconds(10).TotalNanoseconds, Fixtures.Ns(resumed.Since));
        Assert.True(resumed.Follow);
        Assert.Equal(40, summary.Connections);
        Assert.True(summary.Duplicates > 0, "the overlap the margin re-reads is dropped as duplicates");
    }

    [Fact]
    public async Task A_later_run_resumes_from_the_store_without_counting_a_connection_twice()
    {
        var responses = Fixtures.Conversation(20);
        var expected = await Baseline(responses);
        var db = _dir.File("restart.duckdb");
        await using (var first = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses }))
        {
            await RelayTestRun.FollowAsync(db, RelayTestRun.Options(first.Address));
        }

        long? lastFlowNs;
        using (var store = InferenceStore.Open(db, new StoreOptions { ReadOnly = true }))
        {
            lastFlowNs = store.Reads.Resume(RelayTestRun.Source).LastFlowNs;
        }

        Assert.Equal(responses.Max(Fixtures.TimeNs), lastFlowNs);

        // the restarted process sees the relay's buffer again (same flows) and must not count them twice
        await using var second = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var (summary, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(second.Address));

        var request = Assert.Single(second.Requests);
        Assert.NotNull(request.Since);
        Assert.Equal(lastFlowNs - (long)TimeSpan.FromSeconds(30).TotalNanoseconds, Fixtures.Ns(request.Since));
        Assert.Equal(0, summary.Connections);
        Assert.Equal(expected, RelayTestRun.Lines(db));
    }

    [Fact]
    public async Task Raw_mode_serves_the_same_stream_as_typed_mode()
    {
        var responses = Fixtures.Conversation(15);
        var expected = await Baseline(responses);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { RawMessages = TestRelay.Preserialize(responses) });
        var db = _dir.File("raw.duckdb");

        var (summary, _) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));

        Assert.Equal(responses.Count, relay.MessagesSent);
        Assert.Equal(15, summary.Connections);
        Assert.Equal(expected, RelayTestRun.Lines(db));
    }
}
