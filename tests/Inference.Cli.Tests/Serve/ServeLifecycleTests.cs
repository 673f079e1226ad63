using System.Globalization;
using System.Text.Json;
using Inference.Ingest.Calico.Tests.Kafka;
using Inference.Testing;
using Inference.Testing.Calico;

namespace Inference.Cli.Tests.Serve;

/// <summary>
/// The service's promise, with real components: `inference serve` (a child process) follows the test relay and a topic on
/// librdkafka's mock cluster (which lives in this process, so it outlives the service), is stopped with SIGTERM mid-way,
/// more flows arrive, it is started again on the same store and config: what it stored equals one clean run's.
/// </summary>
public sealed class ServeLifecycleTests : IDisposable
{
    private const string Topic = "flows";
    private readonly TempDirectory _dir = new("inference-serve-life-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigterm_flushes_and_a_restart_resumes_so_the_store_equals_one_clean_run()
    {
        using var kafka = MockKafka.Start();
        kafka.CreateTopic(Topic, 2);
        var calico = CalicoFixture.Generate(intervals: 24);
        var half = calico.Messages.Count / 2;
        kafka.Produce(Topic, calico.Messages.Take(half), partitions: 2);
        // the first relay has the first 60 connections, trickled so the stop lands mid-stream; the second all 90
        var firstFlows = Fixtures.Conversation(60);
        var allFlows = Fixtures.Conversation(90);
        var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = firstFlows, DelayBetweenMessages = TimeSpan.FromMilliseconds(10) });
        var relayPort = relay.Port;
        var relaySource = "hubble-relay:" + relay.Address;
        var db = _dir.File("serve.duckdb");
        var config = _dir.File("inference.yaml");
        // the mock cluster lets a restarted member join only after the old one's session expired (as the Calico tests
        // found): a short session keeps the restart quick; the settings also go through the config's librdkafka keys
        await File.WriteAllTextAsync(config, $"""
            db: {db}
            listen: 127.0.0.1:0
            relays:
              - address: {relay.Address}
            kafka:
              - brokers: {kafka.BootstrapServers}
                topic: {Topic}
                group: serve
                fromBeginning: true
                settings:
                  session.timeout.ms: 6000
                  heartbeat.interval.ms: 500
            """);

        try
        {
            using (var first = await ServeProcess.StartAsync(["--config", config]))
            {
                // stop once both sources have stored something
                await ServeProcess.EventuallyAsync(async () =>
                    await Connections(first, relaySource) > 0 && await Connections(first, "kafka:" + Topic) > 0 ? (bool?)true : null, "the first run to store flows", first.DescribeAsync);
                Assert.Equal(0, await first.TerminateAsync());
                Assert.Contains("stopped: ingesters flushed, store committed", first.Output, StringComparison.Ordinal);
                Assert.Contains("ingesters stopped;", first.Error, StringComparison.Ordinal);
            }
        }
        finally
        {
            await relay.DisposeAsync();
        }

        var afterFirst = await Json("status", "-o", "json", "--db", db);
        Assert.True(SourceConnections(afterFirst, relaySource) > 0, afterFirst.ToString());

        kafka.Produce(Topic, calico.Messages.Skip(half), partitions: 2);
        await using (var back = await TestRelay.StartAsync(new TestRelayOptions { Responses = allFlows, Port = relayPort }))
        {
            using var second = await ServeProcess.StartAsync(["--config", config]);
            Assert.DoesNotContain("write token", second.Output, StringComparison.Ordinal);
            // every message read: the relay's last flow stored, every Kafka message counted (the connection tracker
            // holds the newest connections until later flows or the stop close them, so connections are not the signal)
            var lastFlowNs = allFlows.Max(Fixtures.TimeNs);
            await ServeProcess.EventuallyAsync(async () =>
            {
                using var status = await Status(second);
                return Source(status.RootElement, relaySource) is { } hubble && hubble.GetProperty("lastFlow").ValueKind == JsonValueKind.String
                    && Fixtures.Ns(hubble.GetProperty("lastFlow").GetDateTimeOffset()) >= lastFlowNs
                    && Source(status.RootElement, "kafka:" + Topic) is { } topic && topic.GetProperty("flowsRead").GetInt64() >= calico.Messages.Count ? (bool?)true : null;
            }, "the second run to read every flow", second.DescribeAsync);
            Assert.Equal(0, await second.TerminateAsync());
            Assert.True(back.Requests[0].Since is not null, "the restarted relay ingester resumes from the store");
        }

        // ground truth: one uninterrupted run of the same flows into a fresh store
        var clean = _dir.File("clean.duckdb");
        await using (var relayAll = await TestRelay.StartAsync(new TestRelayOptions { Responses = allFlows }))
        {
            await Json("ingest", "hubble", "--relay", relayAll.Address, "--idle-timeout", "3s", "--db", clean);
        }

        await Json("ingest", "calico", "--brokers", kafka.BootstrapServers, "--topic", Topic, "--group", "clean", "--from-beginning", "--idle-timeout", "3s", "--db", clean);

        var expected = await Json("edges", "-o", "json", "--db", clean);
        var actual = await Json("edges", "-o", "json", "--db", db);
        Assert.Equal(90 + calico.ExpectedConnections.Values.Sum(), actual.EnumerateArray().Sum(e => e.GetProperty("connections").GetInt64()));
        Assert.True(JsonElement.DeepEquals(expected, actual), $"expected {expected}\nactual {actual}");

        var status = await Json("status", "-o", "json", "--db", db);
        var cleanStatus = await Json("status", "-o", "json", "--db", clean);
        Assert.Equal(90, SourceConnections(status, relaySource));
        Assert.Equal(SourceConnections(cleanStatus, "kafka:" + Topic), SourceConnections(status, "kafka:" + Topic));
    }

    /// <summary>Connections a source has stored, from the running service's /api/status.</summary>
    private static async Task<long> Connections(ServeProcess serve, string source)
    {
        using var status = await Status(serve);
        return SourceConnections(status.RootElement, source);
    }

    private static async Task<JsonDocument> Status(ServeProcess serve)
    {
        using var http = new HttpClient { BaseAddress = serve.Url, Timeout = ServeProcess.Patience };
        return JsonDocument.Parse(await http.GetStringAsync("/api/status"));
    }

    private static JsonElement? Source(JsonElement status, string source) =>
        status.GetProperty("sources").EnumerateArray().Where(s => s.GetProperty("source").GetString() == source).Select(s => (JsonElement?)s).FirstOrDefault();

    private static long SourceConnections(JsonElement status, string source) =>
        status.GetProperty("sources").EnumerateArray()
            .Where(s => s.GetProperty("source").GetString() == source)
            .Sum(s => s.GetProperty("connections").GetInt64());

    private static async Task<JsonElement> Json(params string[] args)
    {
        var (code, output, error) = await Foundation.CliRunner.RunAsync(args);
        Assert.True(code == 0, $"inference {string.Join(' ', args)}: exit {code.ToString(CultureInfo.InvariantCulture)}: {error}");
        if (!output.TrimStart().StartsWith('{') && !output.TrimStart().StartsWith('['))
        {
            return default;
        }

        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
