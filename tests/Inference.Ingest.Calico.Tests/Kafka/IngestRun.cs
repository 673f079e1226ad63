using Inference.Ingest.Calico.Kafka;
using Inference.Store;
using Inference.Store.Reading;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Ingest.Calico.Tests.Kafka;

/// <summary>Runs the consumer against a store the way the CLI does, and reads back what `inference edges` would print.</summary>
internal static class IngestRun
{
    public static async Task<CalicoIngestResult> RunAsync(string storePath, string brokers, string topic, string group,
        TimeSpan idle, CancellationToken cancellationToken = default, ILogger? logger = null, int maxBatch = 20_000, int channel = 8_192)
    {
        using var store = InferenceStore.Open(storePath);
        await using var writer = new StoreWriter(store);
        var options = new CalicoIngestOptions
        {
            Brokers = brokers,
            Topic = topic,
            Group = group,
            FromBeginning = true,
            IdleTimeout = idle,
            Bucket = TimeSpan.FromHours(1),
            MaxBatchMessages = maxBatch,
            ChannelCapacity = channel,
            Kafka = KafkaSettings.Parse(["session.timeout.ms=6000", "heartbeat.interval.ms=500"], null),
        };
        var result = await new CalicoKafkaIngest(store, writer, options, logger ?? NullLogger.Instance, TimeProvider.System).RunAsync(cancellationToken);
        await writer.CompleteAsync();
        return result;
    }

    /// <summary>Connections per edge (the EdgeKey's string form) and the verdict counts.</summary>
    public static IReadOnlyList<EdgeRecord> Edges(string storePath)
    {
        using var store = InferenceStore.Open(storePath, new StoreOptions { ReadOnly = true });
        return store.Reads.Edges();
    }

    public static Dictionary<string, long> Connections(string storePath) =>
        Edges(storePath).ToDictionary(e => e.Edge.ToString(), e => e.Connections, StringComparer.Ordinal);
}

/// <summary>A logger that runs an action on one event id (to stop a run mid-stream at a known point).</summary>
internal sealed class TriggerLogger(int eventId, Action action) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (id.Id == eventId)
        {
            action();
        }
    }
}

/// <summary>Collects formatted log lines (to check what a run said, and what it never says).</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Lines { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
