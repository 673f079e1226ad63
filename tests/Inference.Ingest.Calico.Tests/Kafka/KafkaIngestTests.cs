using Inference.Ingest.Calico.Kafka;
using Inference.Store;
using Inference.Store.Reading;
using Inference.Testing.Calico;

namespace Inference.Ingest.Calico.Tests.Kafka;

/// <summary>The consumer against librdkafka's mock cluster: real consumer groups, offsets, commits and broker outages.</summary>
public sealed class KafkaIngestTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_produced_stream_yields_exactly_the_real_connections_with_dead_letters_for_bad_messages()
    {
        using var kafka = MockKafka.Start();
        using var db = new TestStore();
        kafka.CreateTopic("flows", 3);
        var run = CalicoFixture.Generate(intervals: 288, badEvery: 400); // one day, both reporters, bad messages mixed in
        kafka.Produce("flows", run.Messages, partitions: 3);

        var result = await IngestRun.RunAsync(db.Path_, kafka.BootstrapServers, "flows", "inference", Idle);

        Assert.Equal(run.Messages.Count, result.Messages);
        Assert.Equal(run.Malformed, result.DeadLetters);
        Assert.Equal(run.ExpectedConnections.OrderBy(e => e.Key, StringComparer.Ordinal), IngestRun.Connections(db.Path_).OrderBy(e => e.Key, StringComparer.Ordinal));
        var edges = IngestRun.Edges(db.Path_);
        foreach (var fixture in CalicoFixture.Edges)
        {
            var edge = edges.Single(e => e.Edge.ToString() == fixture.ExpectedKey);
            Assert.Equal(edge.Connections, edge.Verdicts.GetValueOrDefault(fixture.Verdict));
        }

        using var store = InferenceStore.Open(db.Path_, new StoreOptions { ReadOnly = true });
        var dead = Assert.Single(DeadLetterReader.Summaries(store));
        Assert.Equal(run.Malformed, dead.Count);
        Assert.All(dead.Latest, d => Assert.Equal("flows", d.Topic));
        Assert.Contains(dead.Latest, d => d.Reason.Length > 0);
    }

    [Fact]
    public async Task Stopping_mid_stream_and_restarting_with_the_same_group_equals_one_clean_run()
    {
        using var kafka = MockKafka.Start();
        kafka.CreateTopic("flows", 2);
        var run = CalicoFixture.Generate(intervals: 144, badEvery: 300);
        kafka.Produce("flows", run.Messages, partitions: 2);

        using var clean = new TestStore();
        await IngestRun.RunAsync(clean.Path_, kafka.BootstrapServers, "flows", "clean", Idle);

        using var restarted = new TestStore();
        using var stop = new CancellationTokenSource();
        var first = await IngestRun.RunAsync(restarted.Path_, kafka.BootstrapServers, "flows", "restarted", Idle, stop.Token,
            new TriggerLogger(7, () => stop.Cancel()), maxBatch: 200, channel: 64);
        Assert.Equal("cancelled", first.StopReason);
        Assert.True(first.Messages < run.Messages.Count, $"the first run read everything ({first.Messages}); it should have stopped mid-stream");
        var log = new ListLogger();
        var second = await IngestRun.RunAsync(restarted.Path_, kafka.BootstrapServers, "flows", "restarted", Idle, logger: log);

        Assert.True(run.Messages.Count == first.Messages + second.Messages, $"{first} then {second}: " + string.Join("\n", log.Lines.Where(l => !l.Contains("librdkafka", StringComparison.Ordinal))));
        Assert.Equal(IngestRun.Connections(clean.Path_), IngestRun.Connections(restarted.Path_));
        Assert.Equal(run.ExpectedConnections.Values.Sum(), IngestRun.Connections(restarted.Path_).Values.Sum());
    }

    [Fact]
    public async Task A_redelivered_stream_is_not_counted_twice()
    {
        using var kafka = MockKafka.Start();
        using var db = new TestStore();
        kafka.CreateTopic("flows", 2);
        var run = CalicoFixture.Generate(intervals: 48, badEvery: 100);
        kafka.Produce("flows", run.Messages, partitions: 2);
        await IngestRun.RunAsync(db.Path_, kafka.BootstrapServers, "flows", "g1", Idle);
        var before = IngestRun.Connections(db.Path_);

        // a group with no committed offsets would read everything again (what a crash between store and commit redelivers):
        // the store's partition progress moves it past what is stored, and anything below that still arriving is skipped
        var again = await IngestRun.RunAsync(db.Path_, kafka.BootstrapServers, "flows", "g2", Idle);

        Assert.Equal(0, again.Records);
        Assert.Equal(0, again.DeadLetters);
        Assert.Equal(before, IngestRun.Connections(db.Path_));
        using var store = InferenceStore.Open(db.Path_, new StoreOptions { ReadOnly = true });
        Assert.Equal(run.Malformed, Assert.Single(DeadLetterReader.Summaries(store)).Count);
    }

    [Fact]
    public async Task A_broker_outage_mid_stream_is_survived_and_logged()
    {
        using var kafka = MockKafka.Start();
        using var db = new TestStore();
        kafka.CreateTopic("flows", 1);
        var run = CalicoFixture.Generate(intervals: 48);
        var half = run.Messages.Count / 2;
        kafka.Produce("flows", run.Messages.Take(half));
        var log = new ListLogger();

        var ingest = IngestRun.RunAsync(db.Path_, kafka.BootstrapServers, "flows", "outage", TimeSpan.FromSeconds(12), logger: log);
        await Task.Delay(TimeSpan.FromSeconds(3));
        kafka.SetBrokerUp(false);
        await Task.Delay(TimeSpan.FromSeconds(3));
        kafka.SetBrokerUp(true);
        kafka.Produce("flows", run.Messages.Skip(half));
        var result = await ingest;

        Assert.Equal(run.Messages.Count, result.Messages);
        Assert.Equal(run.ExpectedConnections.Values.Sum(), IngestRun.Connections(db.Path_).Values.Sum());
        lock (log.Lines)
        {
            Assert.Contains(log.Lines, l => l.StartsWith("Warning: kafka:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Secrets_from_the_kafka_config_are_never_logged()
    {
        using var kafka = MockKafka.Start();
        using var db = new TestStore();
        kafka.CreateTopic("flows", 1);
        kafka.Produce("flows", CalicoFixture.Generate(intervals: 2).Messages);
        var log = new ListLogger();
        using var store = InferenceStore.Open(db.Path_);
        await using var writer = new Inference.Store.Writing.StoreWriter(store);
        var options = new CalicoIngestOptions
        {
            Brokers = kafka.BootstrapServers,
            Topic = "flows",
            Group = "secret",
            FromBeginning = true,
            IdleTimeout = TimeSpan.FromSeconds(3),
            // PLAINTEXT ignores SASL settings; the password must still never appear
            Kafka = KafkaSettings.Parse(["sasl.username=alice", "sasl.password=hunter2-s3cret", "ssl.key.password=k3y-s3cret"], null),
        };
        await new CalicoKafkaIngest(store, writer, options, log, TimeProvider.System).RunAsync(CancellationToken.None);

        lock (log.Lines)
        {
            Assert.Contains(log.Lines, l => l.Contains("sasl.password=***", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("hunter2", StringComparison.Ordinal) || l.Contains("k3y-s3cret", StringComparison.Ordinal));
        }
    }
}
