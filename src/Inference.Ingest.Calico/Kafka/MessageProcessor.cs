using System.Text;
using System.Threading.Channels;
using Inference.Core.Aggregation;
using Inference.Ingest.Calico.Counting;
using Inference.Ingest.Calico.Records;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Calico.Kafka;

/// <summary>
/// The parse-and-count stage: reads messages from the Kafka thread's channel, skips what the store already has
/// (offset below the partition's stored progress), parses the rest in chunks on every core, counts them in message order,
/// and stores a batch by size or age. After a batch is durably committed it hands the offsets back for the Kafka commit.
/// </summary>
internal sealed class MessageProcessor(
    CalicoIngestOptions options,
    StoreWriter writer,
    System.Collections.Concurrent.ConcurrentDictionary<(string Topic, int Partition), long> stored,
    IntervalStates states,
    Action<IReadOnlyList<PartitionProgress>> committed,
    ILogger logger,
    TimeProvider time)
{
    private const int ExcerptChars = 256;

    /// <summary>Messages a parse worker takes at once: ~1 ms of work, so handing it over costs next to nothing.</summary>
    private const int ChunkMessages = 256;
    private readonly int _maxParsing = 2 * Math.Max(1, options.ParseWorkers);
    private readonly CalicoCounter _counter = new(options.Bucket, states);
    private readonly Dictionary<(string, int), long> _seen = new(stored);
    private readonly Dictionary<(string Topic, int Partition), long> _pending = [];
    private readonly List<DeadLetter> _dead = [];
    private readonly Queue<(ParseChunk Chunk, Task Parsed)> _parsing = new();
    private ParseChunk _chunk = new(ChunkMessages);
    private Task? _inFlight;
    private int _messages;
    private long _redelivered;
    private long _batchStarted;

    public long Messages { get; private set; }
    public long Records { get; private set; }
    public long DeadLetters { get; private set; }
    public long Redelivered { get; private set; }
    public long Batches { get; private set; }

    public async Task RunAsync(ChannelReader<KafkaItem[]> reader)
    {
        Task? deadline = null;
        while (true)
        {
            while (reader.TryRead(out var items))
            {
                foreach (var item in items)
                {
                    if (item.Barrier is { } barrier)
                    {
                        try
                        {
                            await FlushAsync();
                            await WaitForWriteAsync();
                            barrier.TrySetResult();
                        }
                        catch (Exception ex)
                        {
                            barrier.TrySetException(ex);
                            throw;
                        }

                        continue;
                    }

                    await AcceptAsync(item);
                    if (_messages >= options.MaxBatchMessages || (Pending && time.GetElapsedTime(_batchStarted) >= options.MaxBatchAge))
                    {
                        await FlushAsync();
                        deadline = null;
                    }
                }
            }

            // nothing to read right now: count what was read (a short pause; the channel buffers meanwhile)
            await CountAllAsync();

            // the channel is empty: wait for more, but store what is pending once it is old enough
            var wait = reader.WaitToReadAsync(CancellationToken.None);
            if (!wait.IsCompleted && Pending)
            {
                var left = options.MaxBatchAge - time.GetElapsedTime(_batchStarted);
                if (left <= TimeSpan.Zero)
                {
                    await FlushAsync();
                    deadline = null;
                    continue;
                }

                deadline ??= Task.Delay(left, time);
                var waiting = wait.AsTask();
                if (await Task.WhenAny(waiting, deadline) != waiting)
                {
                    await FlushAsync();
                    deadline = null;
                    if (!await waiting)
                    {
                        break;
                    }

                    continue;
                }

                if (!await waiting)
                {
                    break;
                }
            }
            else if (!await wait)
            {
                break;
            }
        }

        await FlushAsync();
        await WaitForWriteAsync();
    }

    private bool Pending => _messages > 0 || _redelivered > 0;

    /// <summary>Takes a message into the batch (or skips a redelivery) and queues it for parsing.</summary>
    private async ValueTask AcceptAsync(KafkaItem item)
    {
        var tp = (item.Topic, item.Partition);
        if (_seen.TryGetValue(tp, out var next) && item.Offset < next)
        {
            // already stored (a redelivery after a crash between store and commit): never counted twice
            _redelivered++;
            if (_messages == 0 && _redelivered == 1)
            {
                _batchStarted = time.GetTimestamp();
            }

            return;
        }

        if (_messages == 0 && _redelivered == 0)
        {
            _batchStarted = time.GetTimestamp();
        }

        _seen[tp] = item.Offset + 1;
        _pending[tp] = item.Offset + 1;
        _messages++;
        _chunk.Items.Add(item);
        if (_chunk.Items.Count >= ChunkMessages)
        {
            await StartParseAsync();
        }
    }

    /// <summary>Hands the current chunk to a parse worker; counts the oldest chunks first while too many are parsing.</summary>
    private async ValueTask StartParseAsync()
    {
        if (_chunk.Items.Count == 0)
        {
            return;
        }

        var chunk = _chunk;
        _chunk = new ParseChunk(ChunkMessages);
        _parsing.Enqueue((chunk, Task.Run(chunk.Parse)));
        while (_parsing.TryPeek(out var oldest) && (_parsing.Count >= _maxParsing || oldest.Parsed.IsCompleted))
        {
            await CountOldestAsync();
        }
    }

    /// <summary>Counts every message taken so far, in the order they were read.</summary>
    private async ValueTask CountAllAsync()
    {
        await StartParseAsync();
        while (_parsing.Count > 0)
        {
            await CountOldestAsync();
        }
    }

    private async ValueTask CountOldestAsync()
    {
        var (chunk, parsed) = _parsing.Dequeue();
        await parsed;
        foreach (var flow in chunk.Flows)
        {
            _counter.Add(flow);
        }

        foreach (var (index, line, reason) in chunk.Errors)
        {
            var item = chunk.Items[index];
            Log.DeadLetter(logger, item.Topic, item.Partition, item.Offset, line, reason);
            _dead.Add(new DeadLetter(item.Topic, item.Partition, item.Offset, line, reason, Excerpt(item.Value, line), StoreTime.ToNs(time.GetUtcNow().UtcDateTime)));
        }
    }

    private async Task FlushAsync()
    {
        // a batch holds every message taken into it, counted
        await CountAllAsync();

        // one batch is written while the next is counted; the writer keeps their order
        await WaitForWriteAsync();
        if (!Pending)
        {
            return;
        }

        var batch = new IngestBatch { Source = options.SourceName, SourceKind = "calico", Address = options.Brokers };
        var rows = new CalicoBatchRows { Source = options.SourceName };
        var records = _counter.Flows;
        _counter.DrainInto(batch, rows);
        var offsets = _pending.OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition)
            .Select(p => new PartitionProgress(p.Key.Topic, p.Key.Partition, p.Value)).ToList();
        rows.Offsets.AddRange(offsets);
        rows.DeadLetters.AddRange(_dead);
        batch.Duplicates = _redelivered;
        batch.Ignored = _dead.Count;
        batch.Extensions.Add(rows);
        var (messages, dead, redelivered) = (_messages, _dead.Count, _redelivered);
        _messages = 0;
        _redelivered = 0;
        _pending.Clear();
        _dead.Clear();

        // not cancellable: a batch is either stored whole or the run fails
        _inFlight = Stored(writer.WriteAndWaitAsync(batch, CancellationToken.None), offsets, messages, records, dead, redelivered);
    }

    /// <summary>Waits until the batch handed to the writer is durably committed (a barrier and the end of a run need this).</summary>
    public async Task WaitForWriteAsync()
    {
        if (_inFlight is { } write)
        {
            _inFlight = null;
            await write;
        }
    }

    private async Task Stored(Task write, List<PartitionProgress> offsets, int messages, long records, int dead, long redelivered)
    {
        await write;
        Log.Stored(logger, messages, records, dead, redelivered);
        Messages += messages;
        Records += records;
        DeadLetters += dead;
        Redelivered += redelivered;
        Batches++;
        foreach (var p in offsets)
        {
            stored[(p.Topic, p.Partition)] = p.NextOffset;
        }

        if (offsets.Count > 0)
        {
            committed(offsets);
        }
    }

    private static string Excerpt(byte[]? value, int line)
    {
        if (value is null)
        {
            return "";
        }

        var text = Encoding.UTF8.GetString(value);
        var lines = text.Split('\n');
        var chosen = line - 1 < lines.Length ? lines[line - 1] : text;
        return chosen.Length <= ExcerptChars ? chosen : chosen[..ExcerptChars];
    }
}
