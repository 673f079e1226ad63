using DuckDB.NET.Data;

namespace Inference.Store.Reading;

/// <summary>A message an ingest could not read, and where it is (topic, partition, offset, line).</summary>
public sealed record DeadLetterEntry(string Source, string Topic, int Partition, long Offset, int Line, string Reason, DateTimeOffset ObservedAt);

/// <summary>Dead letters per source and topic: how many, and the latest reasons (what `inference status` shows).</summary>
public sealed record DeadLetterSummary(string Source, string Topic, long Count, IReadOnlyList<DeadLetterEntry> Latest);

/// <summary>Reads the dead-letter table written by the Kafka ingest (schema version 2).</summary>
public static class DeadLetterReader
{
    /// <summary>Per source and topic, the number of dead letters and the <paramref name="latest"/> most recent ones, newest first.</summary>
    public static IReadOnlyList<DeadLetterSummary> Summaries(InferenceStore store, int latest = 5)
    {
        var connection = store.Connection;
        var counts = new List<(string Source, string Topic, long Count)>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT source, topic, count(*) FROM dead_letters GROUP BY source, topic ORDER BY source, topic";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                counts.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var result = new List<DeadLetterSummary>();
        foreach (var (source, topic, count) in counts)
        {
            var entries = new List<DeadLetterEntry>();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                SELECT partition, "offset", line, reason, observed_at FROM dead_letters WHERE source = $source AND topic = $topic
                ORDER BY observed_at DESC, partition, "offset" DESC, line LIMIT $limit
                """;
            cmd.Parameters.Add(new DuckDBParameter("source", source));
            cmd.Parameters.Add(new DuckDBParameter("topic", topic));
            cmd.Parameters.Add(new DuckDBParameter("limit", latest));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new DeadLetterEntry(source, topic, reader.GetInt32(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3),
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc))));
            }

            result.Add(new DeadLetterSummary(source, topic, count, entries));
        }

        return result;
    }
}
