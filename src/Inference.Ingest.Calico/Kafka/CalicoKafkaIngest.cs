using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;
using Inference.Ingest.Calico.Counting;
using Inference.Ingest.Calico.Storage;
using Inference.Store;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Calico.Kafka;

/// <summary>
/// Consumes Calico records from Kafka into the store. librdkafka is driven from one dedicated thread (Consume, Commit and
/// the rebalance callbacks all run there); parsing and counting run on a second stage behind a bounded channel; the
/// store's writer is the third. Offsets are committed only after their batch is durably in DuckDB, and the store keeps
/// each partition's progress in the same transaction, so a redelivered message is recognised and skipped.
/// </summary>
public sealed class CalicoKafkaIngest(InferenceStore store, StoreWriter writer, CalicoIngestOptions options, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan BarrierTimeout = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<IReadOnlyList<PartitionProgress>> _toCommit = new();
    private ConcurrentDictionary<(string Topic, int Partition), long> _stored = new();
    private readonly List<KafkaItem> _unsent = new(KafkaItems.SendChunk);
    private Channel<KafkaItem[]>? _channel;
    private Task? _processing;
    private static readonly TimeSpan JoinGrace = TimeSpan.FromSeconds(60);
    private long _lastActivity;
    private volatile bool _assigned;
    private volatile string? _retrying;

    /// <summary>While the brokers cannot be reached (and no message or assignment came since): librdkafka's reason, secrets redacted.</summary>
    public string? Retrying => _retrying;

    /// <summary>Consumes until cancelled, the duration is over, or the topic was idle for the idle timeout.</summary>
    public async Task<CalicoIngestResult> RunAsync(CancellationToken cancellationToken)
    {
        CalicoStoreExtension.Register(store);
        _stored = new ConcurrentDictionary<(string, int), long>(CalicoStateLoader.Offsets(store.Connection, options.SourceName));
        var states = CalicoStateLoader.Intervals(store.Connection, options.SourceName);
        _channel = KafkaItems.Channel(options.ChannelCapacity);
        var processor = new MessageProcessor(options, writer, _stored, states, offsets => _toCommit.Enqueue(offsets), logger, time);
        _processing = Task.Run(() => processor.RunAsync(_channel.Reader), CancellationToken.None);

        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(ConsumeLoop(cancellationToken));
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "kafka-consumer:" + options.Topic };
        thread.Start();

        var reason = await done.Task;
        await _processing; // rethrows a store failure
        return new CalicoIngestResult(processor.Messages, processor.Records, processor.DeadLetters, processor.Redelivered, processor.Batches, reason);
    }

    private string ConsumeLoop(CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(options.Kafka.Values.ToDictionary())
        {
            BootstrapServers = options.Brokers,
            GroupId = options.Group,
            // the offsets we commit are the ones the store holds, nothing else
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.FromBeginning ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
        };
        Log.Consuming(logger, options.Topic, options.Brokers, options.Group, options.Kafka.Describe());

        var brokerDown = false;
        IConsumer<Ignore, byte[]> consumer;
        try
        {
            consumer = new ConsumerBuilder<Ignore, byte[]>(config)
                .SetLogHandler((_, m) => Log.Librdkafka(logger, m.Facility, options.Kafka.Redact(m.Message)))
                .SetErrorHandler((_, e) =>
                {
                    brokerDown = true;
                    _retrying = options.Kafka.Redact(e.Reason);
                    Log.BrokerError(logger, options.Kafka.Redact(e.Reason), e.Code.ToString());
                })
                .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions))
                .SetPartitionsRevokedHandler((c, partitions) => Revoked(c, partitions))
                .SetPartitionsLostHandler((_, partitions) => Log.Lost(logger, Describe(partitions.Select(p => p.TopicPartition))))
                .Build();
        }
        catch (Exception ex) when (ex is ArgumentException or KafkaException or InvalidOperationException)
        {
            _channel!.Writer.TryComplete();
            throw new ArgumentException($"invalid Kafka configuration: {options.Kafka.Redact(ex.Message)}", ex);
        }

        var reason = "cancelled";
        try
        {
            consumer.Subscribe(options.Topic);
            var started = time.GetTimestamp();
            _lastActivity = started;
            while (true)
            {
                CommitStored(consumer);
                if (cancellationToken.IsCancellationRequested)
                {
                    reason = "cancelled";
                    break;
                }

                if (_processing!.IsCompleted)
                {
                    reason = "store failed";
                    break;
                }

                if (options.Duration is { } d && time.GetElapsedTime(started) >= d)
                {
                    reason = "duration";
                    break;
                }

                // a group join can wait for a previous member's session to expire: idle time starts at the first assignment
                if (options.IdleTimeout is { } idle && time.GetElapsedTime(_lastActivity) >= (_assigned ? idle : idle + JoinGrace))
                {
                    reason = _assigned ? "idle" : "idle (no partition was assigned)";
                    break;
                }

                ConsumeResult<Ignore, byte[]>? result;
                try
                {
                    // while messages are at hand they are gathered without waiting; the first wait hands them over
                    result = consumer.Consume(_unsent.Count == 0 ? PollInterval : TimeSpan.Zero);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    SendUnsent();
                    Log.BrokerError(logger, options.Kafka.Redact(ex.Error.Reason), ex.Error.Code.ToString());
                    continue;
                }

                if (result is null || result.IsPartitionEOF)
                {
                    SendUnsent();
                    continue;
                }

                if (brokerDown)
                {
                    brokerDown = false;
                    _retrying = null;
                    Log.Restored(logger);
                }

                _lastActivity = time.GetTimestamp();
                _unsent.Add(new KafkaItem(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Value, null));
                if (_unsent.Count >= KafkaItems.SendChunk)
                {
                    SendUnsent();
                }
            }
        }
        finally
        {
            // finish the batch in flight, store it, commit it, leave the group
            SendUnsent();
            _channel!.Writer.TryComplete();
            try
            {
                _processing!.GetAwaiter().GetResult();
                CommitStored(consumer);
            }
            finally
            {
                try
                {
                    consumer.Close();
                }
                catch (KafkaException ex)
                {
                    Log.CommitFailed(logger, options.Kafka.Redact(ex.Message));
                }

                consumer.Dispose();
            }
        }

        return reason;
    }

    /// <summary>Hands the messages read so far to the parser (waiting while its channel is full).</summary>
    private void SendUnsent()
    {
        if (_unsent.Count == 0)
        {
            return;
        }

        var items = _unsent.ToArray();
        _unsent.Clear();
        Send(items);
    }

    private void Send(KafkaItem[] items)
    {
        while (!_channel!.Writer.TryWrite(items))
        {
            if (_processing!.IsCompleted)
            {
                return;
            }

            _channel.Writer.WaitToWriteAsync().AsTask().Wait(PollInterval);
        }
    }

    private IEnumerable<TopicPartitionOffset> Assigned(List<TopicPartition> partitions)
    {
        Log.Assigned(logger, Describe(partitions));

        // joining the group took time, no message was missed: the idle clock starts now
        _lastActivity = time.GetTimestamp();
        _assigned = true;
        _retrying = null;
        foreach (var tp in partitions)
        {
            if (_stored.TryGetValue((tp.Topic, tp.Partition.Value), out var next))
            {
                // the store is the truth: it may be ahead of the group's commit (a crash between store and commit)
                Log.Resume(logger, tp.Topic, tp.Partition.Value, next);
                yield return new TopicPartitionOffset(tp, new Offset(next));
            }
            else
            {
                yield return new TopicPartitionOffset(tp, Offset.Unset);
            }
        }
    }

    private void Revoked(IConsumer<Ignore, byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.Revoked(logger, Describe(partitions.Select(p => p.TopicPartition)));
        if (_processing!.IsCompleted)
        {
            return;
        }

        // store what was read from these partitions and commit it while they are still ours
        SendUnsent();
        var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Send([new KafkaItem("", -1, -1, null, barrier)]);
        try
        {
            barrier.Task.Wait(BarrierTimeout);
        }
        catch (AggregateException)
        {
            // the store failed; RunAsync reports it
        }

        CommitStored(consumer);
    }

    private void CommitStored(IConsumer<Ignore, byte[]> consumer)
    {
        var latest = new Dictionary<(string, int), long>();
        while (_toCommit.TryDequeue(out var offsets))
        {
            foreach (var p in offsets)
            {
                latest[(p.Topic, p.Partition)] = p.NextOffset;
            }
        }

        if (latest.Count == 0)
        {
            return;
        }

        var assigned = consumer.Assignment.Select(tp => (tp.Topic, tp.Partition.Value)).ToHashSet();
        var commit = latest.Where(kv => assigned.Contains(kv.Key))
            .Select(kv => new TopicPartitionOffset(kv.Key.Item1, new Partition(kv.Key.Item2), new Offset(kv.Value))).ToList();
        if (commit.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(commit);
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(logger, options.Kafka.Redact(ex.Error.Reason));
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).Select(p => $"{p.Topic}/{p.Partition.Value}"));
}
