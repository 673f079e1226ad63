using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Inference.Ingest.Calico.Counting;
using Inference.Ingest.Calico.Kafka;
using Inference.Ingest.Calico.Records;
using Inference.Ingest.Calico.Storage;
using Inference.Store.Writing;
using Inference.Testing.Calico;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Ingest.Calico.Tests.Kafka;

/// <summary>The parse-and-count stage on its own: a message below a partition's stored progress is never counted again.</summary>
public sealed class MessageProcessorTests
{
    [Fact]
    public async Task Messages_redelivered_below_the_stored_offset_are_skipped_even_after_a_restart()
    {
        using var db = new TestStore();
        var run = CalicoFixture.Generate(intervals: 12, badEvery: 50);
        var options = new CalicoIngestOptions { Brokers = "test", Topic = "flows", Group = "g", Bucket = TimeSpan.FromHours(1) };

        async Task<MessageProcessor> Feed(IEnumerable<int> offsets)
        {
            using var store = db.Open();
            CalicoStoreExtension.Register(store);
            var stored = new ConcurrentDictionary<(string, int), long>(CalicoStateLoader.Offsets(store.Connection, options.SourceName));
            var states = CalicoStateLoader.Intervals(store.Connection, options.SourceName);
            await using var writer = new StoreWriter(store);
            var processor = new MessageProcessor(options, writer, stored, states, _ => { }, NullLogger.Instance, TimeProvider.System);
            var channel = Channel.CreateUnbounded<KafkaItem[]>();
            foreach (var chunk in offsets.Chunk(7))
            {
                channel.Writer.TryWrite(chunk.Select(o => new KafkaItem("flows", 0, o, Encoding.UTF8.GetBytes(run.Messages[o]), null)).ToArray());
            }

            channel.Writer.Complete();
            await processor.RunAsync(channel.Reader);
            await writer.CompleteAsync();
            return processor;
        }

        var all = Enumerable.Range(0, run.Messages.Count).ToList();
        var first = await Feed(all.Take(all.Count / 2));
        var second = await Feed(all); // the first half again, then the rest
        Assert.Equal(all.Count / 2, second.Redelivered);
        Assert.Equal(all.Count, first.Messages + second.Messages);
        Assert.Equal(run.ExpectedConnections.OrderBy(e => e.Key, StringComparer.Ordinal), IngestRun.Connections(db.Path_).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Messages_parsed_in_parallel_chunks_are_counted_and_dead_lettered_as_if_read_one_by_one()
    {
        using var db = new TestStore();
        var run = CalicoFixture.Generate(intervals: 24, badEvery: 7);
        var messages = run.Messages.Select(m => Encoding.UTF8.GetBytes(m)).ToList();
        var options = new CalicoIngestOptions { Brokers = "test", Topic = "flows", Group = "g", Bucket = TimeSpan.FromHours(1), ParseWorkers = 4, MaxBatchMessages = 500 };

        // what reading each message on its own says is wrong, and where
        var expected = new List<(long Offset, int Line, string Reason)>();
        for (var o = 0; o < messages.Count; o++)
        {
            var errors = new List<(int Line, string Reason)>();
            RecordReader.Read(messages[o], [], errors);
            expected.AddRange(errors.Select(e => ((long)o, e.Line, e.Reason)));
        }

        using (var store = db.Open())
        {
            CalicoStoreExtension.Register(store);
            await using var writer = new StoreWriter(store);
            var processor = new MessageProcessor(options, writer, new ConcurrentDictionary<(string, int), long>(), new IntervalStates(), _ => { }, NullLogger.Instance, TimeProvider.System);
            var channel = Channel.CreateUnbounded<KafkaItem[]>();
            foreach (var chunk in Enumerable.Range(0, messages.Count).Chunk(97))
            {
                channel.Writer.TryWrite(chunk.Select(o => new KafkaItem("flows", 0, o, messages[o], null)).ToArray());
            }

            channel.Writer.Complete();
            await processor.RunAsync(channel.Reader);
            await writer.CompleteAsync();
            Assert.Equal(messages.Count, processor.Messages);
            Assert.True(processor.Batches > 1);

            var stored = new List<(long Offset, int Line, string Reason)>();
            using var cmd = store.Connection.CreateCommand();
            cmd.CommandText = "SELECT \"offset\", line, reason FROM dead_letters ORDER BY \"offset\", line";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                stored.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2)));
            }

            Assert.Equal(run.Malformed, stored.Count);
            Assert.Equal(expected, stored);
        }

        Assert.Equal(run.ExpectedConnections.OrderBy(e => e.Key, StringComparer.Ordinal), IngestRun.Connections(db.Path_).OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
