using DuckDB.NET.Data;

namespace Inference.Store.Retention;

/// <summary>
/// Keeps the store from growing without bound: edge buckets (hourly, or Calico's 5-minute ones) older than a cutoff are
/// rolled up into one bucket per UTC day, edge and source, in one transaction. Counts are summed exactly; first/last
/// seen stay exact; the distinct-pod counts and sketches of a day are those of its busiest bucket (a lower bound: the
/// 64-hash sketches cannot be merged in SQL). Idempotent: a day already rolled up stays as it is.
/// </summary>
public static class BucketRollup
{
    public static long Run(DuckDBConnection connection, DateTimeOffset olderThan)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var cutoff = new DateTimeOffset(olderThan.UtcDateTime.Date, TimeSpan.Zero).UtcDateTime;
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.Add(new DuckDBParameter("cutoff", cutoff));
        cmd.CommandText = "SELECT count(*) FROM edge_buckets WHERE bucket < $cutoff AND bucket <> date_trunc('day', bucket)";
        var rolled = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (rolled == 0)
        {
            tx.Commit();
            return 0;
        }

        cmd.CommandText = """
            CREATE OR REPLACE TEMP TABLE rollup_buckets AS
            SELECT edge_id, date_trunc('day', bucket) AS bucket, source,
                   sum(connections)::BIGINT AS connections, sum(forwarded)::BIGINT AS forwarded, sum(audit)::BIGINT AS audit,
                   sum(dropped)::BIGINT AS dropped, sum(redirected)::BIGINT AS redirected, sum(other)::BIGINT AS other,
                   max(distinct_source_pods) AS distinct_source_pods, max(distinct_destination_pods) AS distinct_destination_pods,
                   arg_max(source_pods_sketch, distinct_source_pods) AS source_pods_sketch,
                   arg_max(destination_pods_sketch, distinct_destination_pods) AS destination_pods_sketch,
                   min(first_seen) AS first_seen, max(last_seen) AS last_seen
            FROM edge_buckets WHERE bucket < $cutoff GROUP BY ALL;
            CREATE OR REPLACE TEMP TABLE rollup_reasons AS
            SELECT edge_id, date_trunc('day', bucket) AS bucket, source, reason, sum(count)::BIGINT AS count
            FROM edge_drop_reasons WHERE bucket < $cutoff GROUP BY ALL;
            DELETE FROM edge_buckets WHERE bucket < $cutoff;
            DELETE FROM edge_drop_reasons WHERE bucket < $cutoff;
            INSERT INTO edge_buckets (edge_id, bucket, source, connections, forwarded, audit, dropped, redirected, other,
                distinct_source_pods, distinct_destination_pods, source_pods_sketch, destination_pods_sketch, first_seen, last_seen)
            SELECT edge_id, bucket, source, connections, forwarded, audit, dropped, redirected, other,
                distinct_source_pods, distinct_destination_pods, source_pods_sketch, destination_pods_sketch, first_seen, last_seen FROM rollup_buckets;
            INSERT INTO edge_drop_reasons (edge_id, bucket, source, reason, count) SELECT edge_id, bucket, source, reason, count FROM rollup_reasons;
            DROP TABLE rollup_buckets;
            DROP TABLE rollup_reasons;
            """;
        cmd.ExecuteNonQuery();
        tx.Commit();
        return rolled;
    }
}
