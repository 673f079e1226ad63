using DuckDB.NET.Data;

namespace Inference.Store.Reading;

/// <summary>A message an ingest could not read, and where it is (topic, partition, offset, line).</summary>
public sealed record DeadLetterEntry(string Source, string Topic, int Partition, long Offset, int Line, string Reason, DateTimeOffset ObservedAt);

/// <summary>Dead letters per source: how many, and the latest reasons (what `inference status` shows).</summary>
public sealed record DeadLetterSummary(string Source, long Count, IReadOnlyList<DeadLetterEntry> Latest);

/// <summary>Reads the dead-letter table written by the Kafka ingest (schema version 2).</summary>
public static class DeadLetterReader
{
    /// <summary>Per source, the number of dead letters and the <paramref name="latest"/> most recent ones, newest first.</summary>
    public static IReadOnlyList<DeadLetterSummary> Summaries(InferenceStore store, int latest = 5)
    {
        var connection = store.Connection;
        var counts = new List<(string Source, long Count)>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT source, count(*) FROM dead_letters GROUP BY source ORDER BY source";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                counts.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var result = new List<DeadLetterSummary>();
        foreach (var (source, count) in counts)
        {
            var entries = new List<DeadLetterEntry>();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                SELECT topic, partition, "offset", line, reason, observed_at FROM dead_letters WHERE source = $source
                ORDER BY observed_at DESC, topic, partition, "offset" DESC, line LIMIT $limit
                """;
            cmd.Parameters.Add(new DuckDBParameter("source", source));
            cmd.Parameters.Add(new DuckDBParameter("limit", latest));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                entries.Add(new DeadLetterEntry(source, reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4),
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc))));
            }

            result.Add(new DeadLetterSummary(source, count, entries));
        }

        return result;
    }
}
