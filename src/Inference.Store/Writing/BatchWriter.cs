using System.Text.Json;
using DuckDB.NET.Data;
using Inference.Core.Aggregation;
using Inference.Core.Flows;

namespace Inference.Store.Writing;

/// <summary>
/// Writes one <see cref="IngestBatch"/> in one transaction: rows are appended to temp staging tables and merged into the
/// store with upserts that add counts, widen first/last seen and union the distinct-pod sketches.
/// </summary>
internal sealed class BatchWriter(DuckDBConnection connection, TimeProvider time)
{
    private readonly PeerRegistry _registry = new(connection);
    private readonly SketchCache _sketches = new(connection);
    private readonly WorkloadCache _workloads = new(connection);
    private bool _staged;

    /// <summary>Extensions (Kafka offsets, dead letters) write themselves in the same transaction.</summary>
    public List<IBatchExtension> Extensions { get; } = [];

    public void Apply(IngestBatch batch)
    {
        EnsureStaging();
        using var tx = connection.BeginTransaction();
        try
        {
            WriteEdges(batch, tx);
            WriteBuckets(batch, tx);
            WriteWorkloads(batch, tx);
            WritePods(batch, tx);
            WriteL7(batch, tx);
            WriteSource(batch, tx);
            WriteEvents(batch, tx);
            foreach (var extension in Extensions)
            {
                extension.Write(connection, tx, batch);
            }

            tx.Commit();
        }
        catch
        {
            tx.Rollback();
            _registry.Reset();
            _sketches.Reset();
            _workloads.Reset();
            throw;
        }
    }

    private void WriteEdges(IngestBatch batch, DuckDBTransaction tx)
    {
        if (batch.Edges.Count == 0)
        {
            return;
        }

        using (var appender = connection.CreateAppender("stage_edges"))
        {
            foreach (var e in batch.Edges)
            {
                var (id, _, key) = _registry.EdgeId(e.Edge, tx);
                appender.CreateRow()
                    .AppendValue(id).AppendValue(key)
                    .AppendValue(_registry.PeerId(e.Edge.Source, tx)).AppendValue(_registry.PeerId(e.Edge.Destination, tx))
                    .AppendValue(e.Edge.Protocol.ToWire()).AppendValue(e.Edge.Port).AppendValue(e.Edge.IcmpType)
                    .AppendValue(StoreTime.ToDateTime(e.FirstNs)).AppendValue(StoreTime.ToDateTime(e.LastNs))
                    .AppendValue(e.SourcePods.ToList()).AppendValue(e.DestinationPods.ToList())
                    .EndRow();
            }
        }

        Execute(tx, """
            INSERT INTO edges SELECT * FROM stage_edges
            ON CONFLICT (edge_id) DO UPDATE SET
              first_seen = least(edges.first_seen, excluded.first_seen),
              last_seen = greatest(edges.last_seen, excluded.last_seen),
              sample_source_pods = list_slice(list_sort(list_distinct(list_concat(edges.sample_source_pods, excluded.sample_source_pods))), 1, 5),
              sample_destination_pods = list_slice(list_sort(list_distinct(list_concat(edges.sample_destination_pods, excluded.sample_destination_pods))), 1, 5);
            DELETE FROM stage_edges;
            """);
    }

    private void WriteBuckets(IngestBatch batch, DuckDBTransaction tx)
    {
        if (batch.Buckets.Count == 0)
        {
            return;
        }

        var keyed = batch.Buckets.Select(b => (Key: (_registry.EdgeId(b.Edge, tx).Id, b.BucketStartNs, batch.Source), Bucket: b)).ToList();
        // sketches are unions of hash sets: merged here, so the SQL below stays a plain upsert; buckets the store has no
        // row for yet (most of them: time moves on) are appended to the table directly
        var absent = _sketches.Prefetch(keyed.Select(k => k.Key).ToList(), tx);
        var upserts = 0;
        using (var appender = connection.CreateAppender("stage_buckets"))
        using (var fresh = connection.CreateAppender("edge_buckets"))
        using (var reasons = connection.CreateAppender("stage_drop_reasons"))
        {
            foreach (var (key, b) in keyed)
            {
                var (id, bucketNs, _) = key;
                var (src, dst) = _sketches.Merge(key, b);
                var bucket = StoreTime.ToDateTime(bucketNs);
                var isNew = absent.Contains(key);
                upserts += isNew ? 0 : 1;
                (isNew ? fresh : appender).CreateRow()
                    .AppendValue(id).AppendValue(bucket).AppendValue(batch.Source)
                    .AppendValue(b.Connections).AppendValue(b.Forwarded).AppendValue(b.Audit).AppendValue(b.Dropped).AppendValue(b.Redirected).AppendValue(b.Other)
                    .AppendValue(src.Estimate()).AppendValue(dst.Estimate())
                    .AppendValue(src.ToBytes()).AppendValue(dst.ToBytes())
                    .AppendValue(StoreTime.ToDateTime(b.FirstNs)).AppendValue(StoreTime.ToDateTime(b.LastNs))
                    .EndRow();
                foreach (var (reason, count) in b.DropReasons)
                {
                    reasons.CreateRow().AppendValue(id).AppendValue(bucket).AppendValue(batch.Source).AppendValue(reason).AppendValue(count).EndRow();
                }
            }
        }

        if (upserts > 0)
        {
            UpsertBuckets(tx);
        }

        Execute(tx, """
            INSERT INTO edge_drop_reasons SELECT * FROM stage_drop_reasons
            ON CONFLICT (edge_id, bucket, source, reason) DO UPDATE SET count = edge_drop_reasons.count + excluded.count;
            DELETE FROM stage_drop_reasons;
            """);
    }

    private void UpsertBuckets(DuckDBTransaction tx) =>
        Execute(tx, """
            INSERT INTO edge_buckets SELECT * FROM stage_buckets
            ON CONFLICT (edge_id, bucket, source) DO UPDATE SET
              connections = edge_buckets.connections + excluded.connections,
              forwarded = edge_buckets.forwarded + excluded.forwarded,
              audit = edge_buckets.audit + excluded.audit,
              dropped = edge_buckets.dropped + excluded.dropped,
              redirected = edge_buckets.redirected + excluded.redirected,
              other = edge_buckets.other + excluded.other,
              distinct_source_pods = excluded.distinct_source_pods,
              distinct_destination_pods = excluded.distinct_destination_pods,
              source_pods_sketch = excluded.source_pods_sketch,
              destination_pods_sketch = excluded.destination_pods_sketch,
              first_seen = least(edge_buckets.first_seen, excluded.first_seen),
              last_seen = greatest(edge_buckets.last_seen, excluded.last_seen);
            DELETE FROM stage_buckets;
            """);

    private void WriteWorkloads(IngestBatch batch, DuckDBTransaction tx)
    {
        if (batch.Workloads.Count == 0)
        {
            return;
        }

        using (var appender = connection.CreateAppender("stage_workloads"))
        {
            foreach (var w in batch.Workloads)
            {
                var id = _registry.PeerId(w.Workload, tx);
                var merged = _workloads.Merge(id, w, tx);
                appender.CreateRow().AppendValue(id)
                    .AppendValue(JsonSerializer.Serialize(merged.Labels)).AppendValue(JsonSerializer.Serialize(merged.NamespaceLabels))
                    .AppendValue(merged.Pods).AppendValue(merged.First).AppendValue(merged.Last)
                    .EndRow();
            }
        }

        Execute(tx, "INSERT OR REPLACE INTO workloads SELECT * FROM stage_workloads; DELETE FROM stage_workloads;");
    }

    private void WritePods(IngestBatch batch, DuckDBTransaction tx)
    {
        if (batch.Pods.Count == 0)
        {
            return;
        }

        using (var appender = connection.CreateAppender("stage_pods"))
        {
            foreach (var p in batch.Pods)
            {
                appender.CreateRow()
                    .AppendValue(p.Namespace).AppendValue(p.Pod).AppendValue(_registry.PeerId(p.Workload, tx))
                    .AppendValue(JsonSerializer.Serialize(new SortedDictionary<string, string>(p.Labels.ToDictionary(), StringComparer.Ordinal)))
                    .AppendValue(JsonSerializer.Serialize(new SortedDictionary<string, string>(p.NamespaceLabels.ToDictionary(), StringComparer.Ordinal)))
                    .AppendValue(p.Ip)
                    .AppendValue(StoreTime.ToDateTime(p.FirstNs)).AppendValue(StoreTime.ToDateTime(p.LastNs))
                    .EndRow();
            }
        }

        Execute(tx, """
            INSERT INTO pods SELECT * FROM stage_pods
            ON CONFLICT (namespace, pod) DO UPDATE SET
              peer_id = excluded.peer_id, labels = excluded.labels, namespace_labels = excluded.namespace_labels,
              ip = coalesce(excluded.ip, pods.ip),
              first_seen = least(pods.first_seen, excluded.first_seen), last_seen = greatest(pods.last_seen, excluded.last_seen);
            DELETE FROM stage_pods;
            """);
    }

    private void WriteL7(IngestBatch batch, DuckDBTransaction tx)
    {
        if (batch.Dns.Count > 0)
        {
            using (var appender = connection.CreateAppender("stage_dns"))
            {
                foreach (var d in batch.Dns)
                {
                    appender.CreateRow().AppendValue(_registry.EdgeId(d.Edge, tx).Id).AppendValue(d.Observation.Query).AppendValue(d.Observation.Answers)
                        .AppendValue(d.Observation.Rcode).AppendValue((ulong)d.Observation.Ttl).AppendValue(d.Observation.Count)
                        .AppendValue(StoreTime.ToDateTime(d.FirstNs)).AppendValue(StoreTime.ToDateTime(d.LastNs)).EndRow();
                }
            }

            Execute(tx, """
                INSERT INTO dns_observations SELECT * FROM stage_dns
                ON CONFLICT (edge_id, query, answers, rcode) DO UPDATE SET
                  count = dns_observations.count + excluded.count, ttl = greatest(dns_observations.ttl, excluded.ttl),
                  first_seen = least(dns_observations.first_seen, excluded.first_seen), last_seen = greatest(dns_observations.last_seen, excluded.last_seen);
                DELETE FROM stage_dns;
                """);
        }

        if (batch.Http.Count > 0)
        {
            using (var appender = connection.CreateAppender("stage_http"))
            {
                foreach (var h in batch.Http)
                {
                    appender.CreateRow().AppendValue(_registry.EdgeId(h.Edge, tx).Id).AppendValue(h.Observation.Method).AppendValue(h.Observation.Path)
                        .AppendValue(h.Observation.Status).AppendValue(h.Observation.Count)
                        .AppendValue(StoreTime.ToDateTime(h.FirstNs)).AppendValue(StoreTime.ToDateTime(h.LastNs)).EndRow();
                }
            }

            Execute(tx, """
                INSERT INTO http_observations SELECT * FROM stage_http
                ON CONFLICT (edge_id, method, path, status) DO UPDATE SET
                  count = http_observations.count + excluded.count,
                  first_seen = least(http_observations.first_seen, excluded.first_seen), last_seen = greatest(http_observations.last_seen, excluded.last_seen);
                DELETE FROM stage_http;
                """);
        }
    }

    private void WriteSource(IngestBatch batch, DuckDBTransaction tx)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO sources VALUES ($source, $kind, $address, $flows, $dups, $ignored, $connections, $first, $last, $resume, $now)
            ON CONFLICT (source) DO UPDATE SET
              kind = excluded.kind, address = coalesce(excluded.address, sources.address),
              flows_read = sources.flows_read + excluded.flows_read, duplicates = sources.duplicates + excluded.duplicates,
              ignored = sources.ignored + excluded.ignored, connections = sources.connections + excluded.connections,
              first_flow = least(sources.first_flow, excluded.first_flow), last_flow = greatest(sources.last_flow, excluded.last_flow),
              resume_from = coalesce(excluded.resume_from, sources.resume_from), updated_at = excluded.updated_at
            """;
        cmd.Parameters.Add(new DuckDBParameter("source", batch.Source));
        cmd.Parameters.Add(new DuckDBParameter("kind", batch.SourceKind));
        cmd.Parameters.Add(new DuckDBParameter("address", batch.Address));
        cmd.Parameters.Add(new DuckDBParameter("flows", batch.FlowsRead));
        cmd.Parameters.Add(new DuckDBParameter("dups", batch.Duplicates));
        cmd.Parameters.Add(new DuckDBParameter("ignored", batch.Ignored));
        cmd.Parameters.Add(new DuckDBParameter("connections", batch.ConnectionCount));
        cmd.Parameters.Add(new DuckDBParameter("first", batch.FirstFlowNs is { } f ? StoreTime.ToDateTime(f) : null));
        cmd.Parameters.Add(new DuckDBParameter("last", batch.LastFlowNs is { } l ? StoreTime.ToDateTime(l) : null));
        cmd.Parameters.Add(new DuckDBParameter("resume", batch.ResumeFromNs is { } r ? StoreTime.ToDateTime(r) : null));
        cmd.Parameters.Add(new DuckDBParameter("now", time.GetUtcNow().UtcDateTime));
        cmd.ExecuteNonQuery();

        // only the connections a resume could replay matter: from the resume point back by a margin to spare
        long? horizonNs = batch.ResumeFromNs is { } resume ? resume - (long)TimeSpan.FromMinutes(10).TotalNanoseconds : null;
        var recent = horizonNs is { } h && batch.RecentConnections.Exists(c => c.LastNs < h)
            ? batch.RecentConnections.FindAll(c => c.LastNs >= h)
            : batch.RecentConnections;
        if (recent.Count > 0)
        {
            // one row per flush, not per connection: a busy stream closes tens of thousands of connections a second
            Insert(tx, "INSERT INTO recent_connection_sets VALUES ($1, $2, $3, $4)", batch.Source, StoreTime.ToDateTime(recent.Max(c => c.LastNs)),
                recent.Count, RecentConnectionSets.Pack(recent));
        }

        if (horizonNs is { } horizon)
        {
            // (rows of the old per-connection table age out too)
            var before = StoreTime.ToDateTime(horizon);
            Insert(tx, "DELETE FROM recent_connection_sets WHERE source = $1 AND last_seen < $2", batch.Source, before);
            Insert(tx, "DELETE FROM recent_connections WHERE source = $1 AND last_seen < $2", batch.Source, before);
        }
    }

    private void WriteEvents(IngestBatch batch, DuckDBTransaction tx)
    {
        foreach (var lost in batch.LostEvents)
        {
            Insert(tx, "INSERT INTO lost_events VALUES ($1, $2, $3, $4, $5, $6, $7)", batch.Source, lost.Node, lost.LostSource, lost.Count,
                lost.FirstNs is { } f ? StoreTime.ToDateTime(f) : null, lost.LastNs is { } l ? StoreTime.ToDateTime(l) : null, StoreTime.ToDateTime(lost.ObservedNs));
        }

        foreach (var status in batch.NodeStatuses)
        {
            Insert(tx, "INSERT INTO node_status VALUES ($1, $2, $3, $4, $5)", batch.Source, status.Node, status.State, status.Message, StoreTime.ToDateTime(status.ObservedNs));
        }

        foreach (var gap in batch.Gaps)
        {
            Insert(tx, "INSERT INTO data_gaps VALUES ($1, $2, $3, $4, $5, $6)", batch.Source, gap.Node, StoreTime.ToDateTime(gap.FromNs), StoreTime.ToDateTime(gap.ToNs), gap.Reason, StoreTime.ToDateTime(gap.ObservedNs));
        }

        if (batch.RawFlows.Count > 0)
        {
            using var appender = connection.CreateAppender("raw_flows");
            foreach (var (timeNs, json) in batch.RawFlows)
            {
                appender.CreateRow().AppendValue(batch.Source).AppendValue(StoreTime.ToDateTime(timeNs)).AppendValue(json).EndRow();
            }
        }
    }

    private void Insert(DuckDBTransaction tx, string sql, params object?[] values) => StoreCommands.Execute(connection, tx, sql, values);

    private void Execute(DuckDBTransaction tx, string sql) => StoreCommands.Execute(connection, tx, sql);

    private void EnsureStaging()
    {
        if (_staged)
        {
            return;
        }

        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            CREATE TEMP TABLE IF NOT EXISTS stage_edges AS SELECT * FROM edges LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_buckets AS SELECT * FROM edge_buckets LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_drop_reasons AS SELECT * FROM edge_drop_reasons LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_pods AS SELECT * FROM pods LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_workloads AS SELECT * FROM workloads LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_dns AS SELECT * FROM dns_observations LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_http AS SELECT * FROM http_observations LIMIT 0;
            CREATE TEMP TABLE IF NOT EXISTS stage_keys (edge_id INTEGER, bucket TIMESTAMPTZ, source VARCHAR);
            """;
        cmd.ExecuteNonQuery();
        _staged = true;
    }

}
