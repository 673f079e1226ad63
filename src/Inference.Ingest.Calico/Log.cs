using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Calico;

/// <summary>Every log line the Calico ingest and the Goldmane bridge write (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "consuming {Topic} from {Brokers} as group {Group} (kafka config: {Config})")]
    public static partial void Consuming(ILogger logger, string topic, string brokers, string group, string config);

    [LoggerMessage(2, LogLevel.Information, "partitions assigned: {Partitions}")]
    public static partial void Assigned(ILogger logger, string partitions);

    [LoggerMessage(3, LogLevel.Warning, "partitions revoked by a rebalance: {Partitions}; stored what was read and committed before letting go")]
    public static partial void Revoked(ILogger logger, string partitions);

    [LoggerMessage(4, LogLevel.Warning, "partitions lost (session timed out): {Partitions}; nothing was committed for them, the store's offsets keep redelivery from counting twice")]
    public static partial void Lost(ILogger logger, string partitions);

    [LoggerMessage(5, LogLevel.Warning, "kafka: {Reason} ({Code}); retrying")]
    public static partial void BrokerError(ILogger logger, string reason, string code);

    [LoggerMessage(6, LogLevel.Warning, "dead letter at {Topic}/{Partition}/{Offset} line {Line}: {Reason}")]
    public static partial void DeadLetter(ILogger logger, string topic, int partition, long offset, int line, string reason);

    [LoggerMessage(7, LogLevel.Debug, "stored batch: {Messages} messages, {Records} records, {DeadLetters} dead letters, {Duplicates} redelivered")]
    public static partial void Stored(ILogger logger, int messages, long records, int deadLetters, long duplicates);

    [LoggerMessage(8, LogLevel.Warning, "committing offsets failed: {Reason}; the store holds them, a redelivery is skipped")]
    public static partial void CommitFailed(ILogger logger, string reason);

    [LoggerMessage(9, LogLevel.Debug, "librdkafka {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, string facility, string message);

    [LoggerMessage(10, LogLevel.Information, "resuming {Topic}/{Partition} at offset {Offset} from the store")]
    public static partial void Resume(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(11, LogLevel.Information, "kafka connection restored")]
    public static partial void Restored(ILogger logger);

    [LoggerMessage(20, LogLevel.Information, "bridge: streaming Goldmane flows from {Address} since {Since} into {Topic}")]
    public static partial void BridgeStreaming(ILogger logger, string address, long since, string topic);

    [LoggerMessage(21, LogLevel.Warning, "bridge: Goldmane stream ended ({Reason}); reconnecting in {Delay}")]
    public static partial void BridgeReconnect(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(22, LogLevel.Information, "bridge: resuming after {Skip} flows already produced for the window starting {Since}")]
    public static partial void BridgeResume(ILogger logger, int skip, long since);

    [LoggerMessage(23, LogLevel.Warning, "bridge: last produced flow is from {Last}, Goldmane keeps about an hour: flows before {Oldest} may be lost")]
    public static partial void BridgeGap(ILogger logger, long last, long oldest);

    [LoggerMessage(24, LogLevel.Warning, "bridge: produce failed: {Reason}")]
    public static partial void BridgeProduceFailed(ILogger logger, string reason);
}
