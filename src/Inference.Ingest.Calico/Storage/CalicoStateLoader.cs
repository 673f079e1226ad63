using DuckDB.NET.Data;
using Inference.Ingest.Calico.Counting;
using Inference.Store.Writing;

namespace Inference.Ingest.Calico.Storage;

/// <summary>What a Calico source already stored: partition progress and per-reporter interval counts. Read before the writer starts.</summary>
public static class CalicoStateLoader
{
    public static Dictionary<(string Topic, int Partition), long> Offsets(DuckDBConnection connection, string source)
    {
        var result = new Dictionary<(string, int), long>();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT topic, partition, next_offset FROM kafka_offsets WHERE source = $source";
        cmd.Parameters.Add(new DuckDBParameter("source", source));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result[(reader.GetString(0), reader.GetInt32(1))] = reader.GetInt64(2);
        }

        return result;
    }

    public static IntervalStates Intervals(DuckDBConnection connection, string source)
    {
        var states = new IntervalStates();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT edge, bucket, counts FROM calico_intervals WHERE source = $source";
        cmd.Parameters.Add(new DuckDBParameter("source", source));
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var counts = reader.GetFieldValue<List<long>>(2);
            var values = new long[ReporterCounts.Reporters * ReporterCounts.Verdicts];
            counts.CopyTo(0, values, 0, Math.Min(counts.Count, values.Length));
            states.Load(reader.GetString(0), StoreTime.ToNs(reader.GetDateTime(1)), values);
        }

        return states;
    }
}
