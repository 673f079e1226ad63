namespace Inference.Ingest.Calico.Kafka;

/// <summary>How `inference ingest calico` consumes.</summary>
public sealed record CalicoIngestOptions
{
    public required string Brokers { get; init; }
    public required string Topic { get; init; }
    public required string Group { get; init; }

    /// <summary>A group with no committed offset starts at the oldest message (else at the newest).</summary>
    public bool FromBeginning { get; init; }

    /// <summary>Stop after this long (null: until cancelled).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after this long without a message (null: never).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    public KafkaSettings Kafka { get; init; } = KafkaSettings.Parse([], null);

    /// <summary>
    /// A batch is stored and committed after this many messages or this age, whichever comes first. A batch's store cost
    /// barely depends on its size (a dozen upserts of the edges and buckets it touched, then a commit), so at high rates
    /// the age decides and the count only bounds a batch's memory.
    /// </summary>
    public int MaxBatchMessages { get; init; } = 100_000;
    public TimeSpan MaxBatchAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The time bucket of the edge counts (Felix's default flush interval).</summary>
    public TimeSpan Bucket { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages buffered between the Kafka thread and the parser.</summary>
    public int ChannelCapacity { get; init; } = 8_192;

    /// <summary>Threads parsing at once (counting and storing stay in message order on their own stages).</summary>
    public int ParseWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>The store's name for this source.</summary>
    public string SourceName => "kafka:" + Topic;
}

/// <summary>What one run consumed.</summary>
public sealed record CalicoIngestResult(long Messages, long Records, long DeadLetters, long Redelivered, long Batches, string StopReason);
