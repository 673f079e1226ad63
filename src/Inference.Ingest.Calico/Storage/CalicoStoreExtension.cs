using DuckDB.NET.Data;
using Inference.Core.Aggregation;
using Inference.Core.Flows;
using Inference.Ingest.Calico.Counting;
using Inference.Store.Writing;

namespace Inference.Ingest.Calico.Storage;

/// <summary>
/// Writes a batch's Calico rows in the batch's transaction: partition progress (so a redelivery is recognised),
/// dead letters, per-reporter interval counts and per-direction policy decisions. Batches of other sources carry none.
/// </summary>
public sealed class CalicoStoreExtension : IBatchExtension
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Inference.Store.InferenceStore, CalicoStoreExtension> Registered = [];

    /// <summary>Adds the extension to <paramref name="store"/> once, however many Calico runs share the store.</summary>
    public static void Register(Inference.Store.InferenceStore store)
    {
        lock (Registered)
        {
            if (!Registered.TryGetValue(store, out _))
            {
                var extension = new CalicoStoreExtension();
                store.AddBatchExtension(extension);
                Registered.Add(store, extension);
            }
        }
    }

    public void Write(DuckDBConnection connection, DuckDBTransaction transaction, IngestBatch batch)
    {
        foreach (var rows in batch.Extensions.OfType<CalicoBatchRows>())
        {
            foreach (var p in rows.Offsets)
            {
                StoreCommands.Execute(connection, transaction, """
                    INSERT INTO kafka_offsets VALUES ($1, $2, $3, $4, now())
                    ON CONFLICT (source, topic, partition) DO UPDATE SET
                      next_offset = greatest(kafka_offsets.next_offset, excluded.next_offset), updated_at = excluded.updated_at
                    """, rows.Source, p.Topic, p.Partition, p.NextOffset);
            }

            WriteDeadLetters(connection, transaction, rows);
            WriteIntervals(connection, transaction, rows);
            WritePolicies(connection, transaction, rows);
        }
    }

    private static void WriteDeadLetters(DuckDBConnection connection, DuckDBTransaction transaction, CalicoBatchRows rows)
    {
        if (rows.DeadLetters.Count == 0)
        {
            return;
        }

        // a stream with a bad message every so often has thousands a batch: appended, not inserted one statement each
        StoreCommands.EnsureStage(connection, transaction, "stage_dead_letters", "dead_letters");
        using (var appender = connection.CreateAppender("stage_dead_letters"))
        {
            foreach (var d in rows.DeadLetters)
            {
                appender.CreateRow().AppendValue(rows.Source).AppendValue(d.Topic).AppendValue(d.Partition).AppendValue(d.Offset).AppendValue(d.Line)
                    .AppendValue(d.Reason).AppendValue(d.Excerpt).AppendValue(StoreTime.ToDateTime(d.ObservedNs)).EndRow();
            }
        }

        StoreCommands.Execute(connection, transaction, "INSERT INTO dead_letters SELECT * FROM stage_dead_letters ON CONFLICT DO NOTHING; DELETE FROM stage_dead_letters;");
    }

    private static void WriteIntervals(DuckDBConnection connection, DuckDBTransaction transaction, CalicoBatchRows rows)
    {
        if (rows.Intervals.Count == 0)
        {
            return;
        }

        // most rows are buckets the store has not seen (time moves on): appended as they are; the others replace their row,
        // and only then is the staging statement worth its cost
        Append(connection, "calico_intervals", rows, rows.Intervals.Where(i => i.IsNew));
        if (rows.Intervals.All(i => i.IsNew))
        {
            return;
        }

        StoreCommands.EnsureStage(connection, transaction, "stage_calico_intervals", "calico_intervals");
        Append(connection, "stage_calico_intervals", rows, rows.Intervals.Where(i => !i.IsNew));
        StoreCommands.Execute(connection, transaction, "INSERT OR REPLACE INTO calico_intervals SELECT * FROM stage_calico_intervals; DELETE FROM stage_calico_intervals;");
    }

    private static void Append(DuckDBConnection connection, string table, CalicoBatchRows rows, IEnumerable<IntervalRow> intervals)
    {
        using var appender = connection.CreateAppender(table);
        foreach (var i in intervals)
        {
            appender.CreateRow().AppendValue(rows.Source).AppendValue(i.Edge).AppendValue(StoreTime.ToDateTime(i.BucketNs)).AppendValue(i.Counts.ToList()).EndRow();
        }
    }

    private static void WritePolicies(DuckDBConnection connection, DuckDBTransaction transaction, CalicoBatchRows rows)
    {
        if (rows.Policies.Count == 0)
        {
            return;
        }

        StoreCommands.EnsureStage(connection, transaction, "stage_calico_policies", "calico_edge_policies");
        using (var appender = connection.CreateAppender("stage_calico_policies"))
        {
            foreach (var p in rows.Policies)
            {
                appender.CreateRow().AppendValue(rows.Source).AppendValue(p.Edge).AppendValue(p.Key.Source.Key).AppendValue(p.Key.Destination.Key)
                    .AppendValue(p.Key.Protocol.ToWire()).AppendValue(p.Key.Port).AppendValue(p.Direction)
                    .AppendValue(p.EnforcedAction).AppendValue(p.EnforcedTrace).AppendValue(p.EnforcedBy)
                    .AppendValue(p.PendingAction).AppendValue(p.PendingTrace).AppendValue(p.PendingBy)
                    .AppendValue(p.Verdict.ToWire()).AppendValue(p.Connections).AppendValue(p.Records)
                    .AppendValue(StoreTime.ToDateTime(p.FirstNs)).AppendValue(StoreTime.ToDateTime(p.LastNs)).EndRow();
            }
        }

        StoreCommands.Execute(connection, transaction, """
            INSERT INTO calico_edge_policies SELECT * FROM stage_calico_policies
            ON CONFLICT (source, edge, direction, enforced_trace, pending_trace) DO UPDATE SET
              connections = calico_edge_policies.connections + excluded.connections,
              records = calico_edge_policies.records + excluded.records,
              first_seen = least(calico_edge_policies.first_seen, excluded.first_seen),
              last_seen = greatest(calico_edge_policies.last_seen, excluded.last_seen);
            DELETE FROM stage_calico_policies;
            """);
    }
}
