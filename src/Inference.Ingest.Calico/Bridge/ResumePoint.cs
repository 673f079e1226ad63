using System.Text.Json;
using Confluent.Kafka;
using Inference.Ingest.Calico.Kafka;

namespace Inference.Ingest.Calico.Bridge;

/// <summary>
/// Where a restarted bridge picks up: the newest window start found at the end of the topic's partitions, minus one more
/// window (a crash can leave the last windows partly delivered across partitions), and the flows already produced since
/// then, which are skipped when Goldmane sends them again. Nothing is kept outside Kafka.
/// </summary>
internal sealed class ResumePoint
{
    public long Since { get; private init; }
    public long Latest { get; private init; }
    public HashSet<(long Start, string Key)> Produced { get; } = [];

    public static ResumePoint Read(GoldmaneBridgeOptions options, int windows = 2)
    {
        var config = new ConsumerConfig(options.Kafka.Values.ToDictionary())
        {
            BootstrapServers = options.Brokers,
            GroupId = "inference-bridge-resume",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        };
        var seen = new List<(long Start, string Key)>();
        using (var consumer = new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build())
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            Metadata metadata;
            try
            {
                metadata = admin.GetMetadata(options.Topic, TimeSpan.FromSeconds(15));
            }
            catch (KafkaException)
            {
                return new ResumePoint { Since = options.StartTime };
            }

            var topic = metadata.Topics.FirstOrDefault(t => t.Topic == options.Topic);
            if (topic is null || topic.Error.IsError)
            {
                return new ResumePoint { Since = options.StartTime };
            }

            var assignments = new List<TopicPartitionOffset>();
            var ends = new Dictionary<int, long>();
            foreach (var p in topic.Partitions)
            {
                var tp = new TopicPartition(options.Topic, new Partition(p.PartitionId));
                var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(15));
                if (marks.High.Value > marks.Low.Value)
                {
                    assignments.Add(new TopicPartitionOffset(tp, new Offset(Math.Max(marks.Low.Value, marks.High.Value - options.ResumeTailMessages))));
                    ends[p.PartitionId] = marks.High.Value;
                }
            }

            consumer.Assign(assignments);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (ends.Count > 0 && DateTime.UtcNow < deadline)
            {
                var r = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (r is null)
                {
                    continue;
                }

                if (StartTime(r.Message.Value) is { } start && r.Message.Key is { Length: > 0 } key)
                {
                    seen.Add((start, key));
                }

                if (r.Offset.Value + 1 >= ends.GetValueOrDefault(r.Partition.Value, long.MaxValue))
                {
                    ends.Remove(r.Partition.Value);
                }
            }

            consumer.Close();
        }

        if (seen.Count == 0)
        {
            return new ResumePoint { Since = options.StartTime };
        }

        var latest = seen.Max(s => s.Start);
        var since = latest - ((long)(windows - 1) * options.AggregationIntervalSeconds);
        var point = new ResumePoint { Since = since, Latest = latest };
        foreach (var s in seen.Where(s => s.Start >= since))
        {
            point.Produced.Add(s);
        }

        return point;
    }

    /// <summary>The flow's start time, in either JSON rendering.</summary>
    private static long? StartTime(byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(value);
            if (!(doc.RootElement.TryGetProperty("startTime", out var v) || doc.RootElement.TryGetProperty("start_time", out v)))
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : v.GetInt64();
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
