using Inference.Ingest.Calico.Kafka;

namespace Inference.Ingest.Calico.Bridge;

/// <summary>How `inference bridge goldmane` reaches Goldmane (mTLS) and Kafka.</summary>
public sealed record GoldmaneBridgeOptions
{
    /// <summary>HOST:PORT (TLS), or an explicit http:// URL for a plaintext test server.</summary>
    public required string Goldmane { get; init; }
    public IReadOnlyList<string> TlsCaCertFiles { get; init; } = [];
    public string? TlsClientCertFile { get; init; }
    public string? TlsClientKeyFile { get; init; }
    public string? TlsServerName { get; init; }

    public required string Brokers { get; init; }
    public required string Topic { get; init; }
    public KafkaSettings Kafka { get; init; } = KafkaSettings.Parse([], null);

    /// <summary>Stop after this long (null: until cancelled).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Where to start when the topic holds no flow yet (Unix seconds; 0: Goldmane's now).</summary>
    public long StartTime { get; init; }

    /// <summary>Messages read back from the end of each partition to find where the last run stopped.</summary>
    public int ResumeTailMessages { get; init; } = 20_000;

    /// <summary>Goldmane's aggregation interval (Stream requires 15).</summary>
    public int AggregationIntervalSeconds { get; init; } = 15;
}

/// <summary>What one bridge run did.</summary>
public sealed record GoldmaneBridgeResult(long Produced, long SkippedAlreadyProduced, long ResumedFrom, string StopReason);
