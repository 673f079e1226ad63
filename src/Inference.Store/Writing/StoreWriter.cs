using System.Threading.Channels;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// The single writer: batches arrive through a bounded channel (a slow disk slows the producer down instead of
/// growing memory) and each is written in one transaction, so a crash loses at most the batch in flight.
/// </summary>
public sealed class StoreWriter : IAsyncDisposable
{
    private readonly Channel<(IngestBatch Batch, TaskCompletionSource? Done)> _channel;
    private readonly InferenceStore _store;
    private readonly Task _loop;

    public StoreWriter(InferenceStore store, int capacity = 4)
    {
        _store = store;
        _channel = Channel.CreateBounded<(IngestBatch, TaskCompletionSource?)>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public long BatchesWritten { get; private set; }

    /// <summary>Queues a batch; waits while the writer is behind.</summary>
    public ValueTask WriteAsync(IngestBatch batch, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync((batch, null), cancellationToken);

    /// <summary>Queues a batch and waits until it is committed (Kafka offsets may be committed only after this).</summary>
    public async Task WriteAndWaitAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync((batch, done), cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued and stops. Throws the first write error, if any.</summary>
    public async Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var (batch, done) in _channel.Reader.ReadAllAsync())
        {
            try
            {
                _store.Batches.Apply(batch);
                BatchesWritten++;
                done?.TrySetResult();
            }
            catch (Exception ex)
            {
                done?.TrySetException(ex);
                _channel.Writer.TryComplete(ex);
                throw new StoreException($"writing a batch from {batch.Source} failed; nothing of it was stored: {ex.Message}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        try
        {
            await _loop;
        }
        catch (StoreException)
        {
            // reported by CompleteAsync to whoever awaited it
        }
    }
}
