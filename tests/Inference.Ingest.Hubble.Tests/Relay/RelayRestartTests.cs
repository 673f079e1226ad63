using Cilium.Observer;
using Google.Protobuf;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Protobuf;
using Inference.Store;
using Inference.Store.Writing;
using Inference.Testing;

namespace Inference.Ingest.Hubble.Tests.Relay;

/// <summary>A later run against the same store: after a crash (no final flush) and after the relay's buffer moved on.</summary>
public sealed class RelayRestartTests : IDisposable
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("inference-restart-");

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Forty minutes of a keep-alive connection (an event every 10 s, open throughout) beside short connections
    /// (one every 5 s, a request and its reply), in the order a relay sends them.
    /// </summary>
    private static List<GetFlowsResponse> KeepAliveBesideShortConnections()
    {
        var api = FlowPeer.PodOf("shop", "api", "10.0.1.10");
        var postgres = FlowPeer.PodOf("shop", "postgres", "10.0.1.50", "6b7c8d9e5-pgpgp");
        var worker = FlowPeer.PodOf("shop", "worker", "10.0.1.60", "5f6a7b8c9-wkwkw");
        var queue = FlowPeer.PodOf("shop", "queue", "10.0.1.70", "7a8b9c0d1-ququq");
        var list = new List<GetFlowsResponse>();
        for (var s = 0; s < 40 * 60; s += 5)
        {
            var time = Fixtures.Epoch.AddSeconds(s);
            if (s % 10 == 0)
            {
                list.Add(Fixtures.Tcp(time, api, 40000, postgres, 5432, uuid: $"k{s}", syn: s == 0));
            }

            var port = (uint)(30000 + s);
            list.Add(Fixtures.Tcp(time.AddMilliseconds(1), worker, port, queue, 6379, uuid: $"w{s}"));
            list.Add(Fixtures.Tcp(time.AddMilliseconds(2), queue, 6379, worker, port, reply: true, uuid: $"w{s}-reply"));
        }

        return list;
    }

    [Fact]
    public async Task A_restart_after_a_crash_counts_every_connection_once_though_a_keep_alive_connection_was_open_all_along()
    {
        var responses = KeepAliveBesideShortConnections();
        List<string> expected;
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses }))
        {
            var baseline = _dir.File("baseline.duckdb");
            await RelayTestRun.FollowAsync(baseline, RelayTestRun.Options(relay.Address));
            expected = [.. RelayTestRun.Lines(baseline)];
        }

        // the first run reads 35 minutes, flushing every minute of flow time, and dies before its final flush
        var db = _dir.File("crashed.duckdb");
        var crashAt = Fixtures.Ns(Fixtures.Epoch.AddMinutes(35));
        using (var store = InferenceStore.Open(db))
        {
            await using var writer = new StoreWriter(store);
            var pipeline = new FlowPipeline(new IngestOptions { Source = RelayTestRun.Source, SourceKind = "hubble-relay" }, writer, TimeProvider.System);
            var decoder = new HubbleProtoDecoder();
            var nextFlush = Fixtures.Ns(Fixtures.Epoch.AddMinutes(1));
            foreach (var response in responses.Where(r => Fixtures.TimeNs(r) < crashAt))
            {
                if (Fixtures.TimeNs(response) >= nextFlush)
                {
                    await pipeline.FlushAsync(final: false, CancellationToken.None);
                    nextFlush += (long)TimeSpan.FromMinutes(1).TotalNanoseconds;
                }

                pipeline.Accept(decoder.Decode(response.ToByteArray()));
            }

            await pipeline.FlushAsync(final: false, CancellationToken.None);
            await writer.CompleteAsync();
        }

        long resumeFrom, lastFlow;
        using (var store = InferenceStore.Open(db, new StoreOptions { ReadOnly = true }))
        {
            var state = store.Reads.Resume(RelayTestRun.Source);
            (resumeFrom, lastFlow) = (state.ResumeFromNs!.Value, state.LastFlowNs!.Value);

            // the keep-alive connection opened at minute 0: resuming from there would re-read 35 stored minutes, and
            // the connections remembered for a resume would never age out while it stays open
            Assert.Equal(lastFlow - (long)TimeSpan.FromMinutes(5).TotalNanoseconds, resumeFrom);
            Assert.InRange(state.RecentConnections.Min(c => c.LastNs), resumeFrom - (long)TimeSpan.FromMinutes(12).TotalNanoseconds, resumeFrom - (long)Margin.TotalNanoseconds);
        }

        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses }))
        {
            var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
            var request = Assert.Single(relay.Requests);
            Assert.Equal(resumeFrom - (long)Margin.TotalNanoseconds, Fixtures.Ns(request.Since));
            Assert.True(summary.Duplicates > 0, "the replayed minutes hold connections the first run stored");
            Assert.Empty(RelayTestRun.Status(db).Gaps);
            Assert.DoesNotContain(log.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("gap", StringComparison.OrdinalIgnoreCase));
        }

        Assert.Equal(expected, RelayTestRun.Lines(db));
    }

    [Fact]
    public async Task What_the_relay_no_longer_holds_when_a_later_run_starts_is_recorded_as_a_gap()
    {
        var db = _dir.File("later.duckdb");
        var first = Fixtures.Conversation(20);
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = first }))
        {
            await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
        }

        // an hour later the relay's ring buffer holds only newer flows
        var later = Fixtures.Conversation(20, Fixtures.Epoch.AddHours(1));
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = later }))
        {
            var (summary, log) = await RelayTestRun.FollowAsync(db, RelayTestRun.Options(relay.Address));
            Assert.Equal(20, summary.Connections);
            Assert.Contains(log.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("between the last run and this one", StringComparison.Ordinal));
        }

        var status = RelayTestRun.Status(db);
        var gap = Assert.Single(status.Gaps);
        Assert.Equal(first.Max(Fixtures.TimeNs), Fixtures.Ns(gap.From));
        Assert.Equal(later.Where(r => r.Flow is not null).Min(Fixtures.TimeNs), Fixtures.Ns(gap.To));
        Assert.Contains("ring buffer", gap.Reason, StringComparison.Ordinal);
        Assert.Equal(40, Assert.Single(status.Sources).Connections);
    }
}
