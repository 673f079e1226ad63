using System.Data.Common;
using System.Text.Json;
using DuckDB.NET.Data;
using Inference.Core.Activity;
using Inference.Core.Connections;
using Inference.Core.Flows;
using Inference.Store.Writing;

namespace Inference.Store.Reading;

/// <summary>The read models over the store. Every query is parameterized; results come back in a deterministic order.</summary>
public sealed class StoreReader
{
    private const string PeerColumns = "p.namespace, p.workload, p.workload_kind, p.entity, p.ip, p.names, p.name";
    private readonly DuckDBConnection _connection;

    internal StoreReader(DuckDBConnection connection) => _connection = connection;

    public IReadOnlyList<EdgeRecord> Edges(EdgeFilter? filter = null)
    {
        filter ??= new EdgeFilter();
        using var cmd = _connection.CreateCommand();
        var where = new List<string>();
        WindowConditions.AddTimeWindow(cmd, where, "b", filter.Since, filter.Until);
        WindowConditions.AddNamespaces(cmd, where, filter.Namespaces, "(list_contains($namespaces, s.namespace) OR list_contains($namespaces, d.namespace))");

        cmd.CommandText = $"""
            WITH totals AS (
              SELECT b.edge_id, sum(b.connections)::BIGINT AS connections, sum(b.forwarded)::BIGINT AS forwarded, sum(b.audit)::BIGINT AS audit,
                     sum(b.dropped)::BIGINT AS dropped, sum(b.redirected)::BIGINT AS redirected, sum(b.other)::BIGINT AS other,
                     min(b.first_seen) AS first_seen, max(b.last_seen) AS last_seen,
                     max(b.distinct_source_pods) AS src_pods, max(b.distinct_destination_pods) AS dst_pods
              FROM edge_buckets b JOIN edges e USING (edge_id)
              JOIN peers s ON s.peer_id = e.source_id JOIN peers d ON d.peer_id = e.destination_id
              {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
              GROUP BY b.edge_id
            ), reasons AS (
              SELECT r.edge_id, list(r.reason ORDER BY r.reason) AS reasons, list(r.count ORDER BY r.reason) AS counts
              FROM (SELECT edge_id, reason, sum(count)::BIGINT AS count FROM edge_drop_reasons GROUP BY ALL) r GROUP BY r.edge_id
            )
            SELECT e.protocol, e.port, e.icmp_type, t.connections, t.forwarded, t.audit, t.dropped, t.redirected, t.other,
                   t.first_seen, t.last_seen, t.src_pods, t.dst_pods, e.sample_source_pods, e.sample_destination_pods,
                   rs.reasons, rs.counts,
                   s.namespace, s.workload, s.workload_kind, s.entity, s.ip, s.names, s.name,
                   d.namespace, d.workload, d.workload_kind, d.entity, d.ip, d.names, d.name
            FROM totals t JOIN edges e USING (edge_id)
            JOIN peers s ON s.peer_id = e.source_id JOIN peers d ON d.peer_id = e.destination_id
            LEFT JOIN reasons rs USING (edge_id)
            """;
        var result = new List<EdgeRecord>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            L4ProtocolNames.TryParse(reader.GetString(0), out var protocol);
            var edge = new EdgeKey(ReadPeer(reader, 17), ReadPeer(reader, 24), protocol,
                reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt32(2));
            var verdicts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            AddNonZero(verdicts, "FORWARDED", reader.GetInt64(4));
            AddNonZero(verdicts, "AUDIT", reader.GetInt64(5));
            AddNonZero(verdicts, "DROPPED", reader.GetInt64(6));
            AddNonZero(verdicts, "REDIRECTED", reader.GetInt64(7));
            AddNonZero(verdicts, "OTHER", reader.GetInt64(8));
            var dropReasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
            if (!reader.IsDBNull(15))
            {
                var names = reader.GetFieldValue<List<string>>(15);
                var counts = reader.GetFieldValue<List<long>>(16);
                for (var i = 0; i < names.Count; i++)
                {
                    dropReasons[names[i]] = counts[i];
                }
            }

            result.Add(new EdgeRecord(edge, reader.GetInt64(3), verdicts, dropReasons,
                Utc(reader.GetDateTime(9)), Utc(reader.GetDateTime(10)), reader.GetInt64(11), reader.GetInt64(12),
                reader.GetFieldValue<List<string>>(13), reader.GetFieldValue<List<string>>(14)));
        }

        result.Sort((a, b) => a.Edge.CompareTo(b.Edge));
        return result;
    }

    public StoreStatus Status()
    {
        var sources = new List<SourceStatus>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT s.source, s.kind, s.address, s.flows_read, s.duplicates, s.ignored, s.connections,
                       (SELECT count(DISTINCT edge_id) FROM edge_buckets b WHERE b.source = s.source), s.first_flow, s.last_flow, s.updated_at
                FROM sources s ORDER BY s.source
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                sources.Add(new SourceStatus(reader.GetString(0), reader.GetString(1), NullableString(reader, 2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), NullableTime(reader, 8), NullableTime(reader, 9), Utc(reader.GetDateTime(10))));
            }
        }

        var lost = new List<LostEventsStatus>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT source, node, lost_source, sum(count)::BIGINT, min(first_lost), max(last_lost), max(observed_at)
                FROM lost_events GROUP BY source, node, lost_source ORDER BY source, node, lost_source
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                lost.Add(new LostEventsStatus(reader.GetString(0), reader.GetString(1), reader.GetString(2), Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
                    NullableTime(reader, 4), NullableTime(reader, 5), Utc(reader.GetDateTime(6))));
            }
        }

        var nodes = new List<NodeStatusEntry>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT source, node, state, message, observed_at FROM node_status
                WHERE state IN ('NODE_UNAVAILABLE', 'NODE_ERROR', 'NODE_GONE') ORDER BY observed_at, source, node
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                nodes.Add(new NodeStatusEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), Utc(reader.GetDateTime(4))));
            }
        }

        var gaps = new List<DataGapEntry>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT source, node, gap_from, gap_to, reason, observed_at FROM data_gaps ORDER BY gap_from, source";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                gaps.Add(new DataGapEntry(reader.GetString(0), NullableString(reader, 1), Utc(reader.GetDateTime(2)), Utc(reader.GetDateTime(3)), reader.GetString(4), Utc(reader.GetDateTime(5))));
            }
        }

        using var version = _connection.CreateCommand();
        version.CommandText = "SELECT max(version) FROM schema_version";
        return new StoreStatus(Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture), sources, lost, nodes, gaps);
    }

    /// <summary>Every file import recorded, oldest first.</summary>
    public IReadOnlyList<ImportedFileRecord> ImportedFiles()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT source, bytes, lines, head_hash, prefix_hash, imported_at, coalesce(complete, true), resume_from FROM imported_files ORDER BY imported_at, source, bytes";
        using var reader = cmd.ExecuteReader();
        var result = new List<ImportedFileRecord>();
        while (reader.Read())
        {
            result.Add(new ImportedFileRecord(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                StoreTime.ToOffset(StoreTime.ToNs(reader.GetDateTime(5))), reader.GetBoolean(6), reader.IsDBNull(7) ? null : StoreTime.ToNs(reader.GetDateTime(7))));
        }

        return result;
    }

    /// <summary>
    /// Progress rows of file imports that did not finish (their process died, or a re-run of one was stopped before it
    /// caught up), except those a complete import of the same content (same first MiB, at least as many lines) covers.
    /// </summary>
    public IReadOnlyList<ImportedFileRecord> UnfinishedImports()
    {
        var all = ImportedFiles();
        return [.. all.Where(u => !u.Complete && !all.Any(c => c.Complete && c.HeadHash == u.HeadHash && c.Lines >= u.Lines))];
    }

    /// <summary>The connections every source of <paramref name="kind"/> stored near its end (what a later import may send again).</summary>
    public IReadOnlyList<(FiveTuple Tuple, long LastNs)> RecentConnectionsOfKind(string kind)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT source FROM sources WHERE kind = $kind ORDER BY source";
        cmd.Parameters.Add(new DuckDBParameter("kind", kind));
        var sources = new List<string>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                sources.Add(reader.GetString(0));
            }
        }

        var latest = new Dictionary<FiveTuple, long>();
        foreach (var source in sources)
        {
            foreach (var (tuple, lastNs) in Resume(source).RecentConnections)
            {
                RecentConnectionSets.KeepLatest(latest, tuple, lastNs);
            }
        }

        return [.. latest.Select(p => (p.Key, p.Value))];
    }

    /// <summary>Every source's flow window and the (node, clock hour) pairs it holds flows for, by source name.</summary>
    public IReadOnlyList<CoveredTime> Coverage()
    {
        var hours = new Dictionary<string, HashSet<(string Node, long HourNs)>>(StringComparer.Ordinal);
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT source, node, epoch_ns(hour) FROM node_hours WHERE flows > 0";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var source = reader.GetString(0);
                if (!hours.TryGetValue(source, out var set))
                {
                    hours[source] = set = [];
                }

                set.Add((reader.GetString(1), reader.GetInt64(2)));
            }
        }

        using var sources = _connection.CreateCommand();
        sources.CommandText = "SELECT source, kind, epoch_ns(first_flow), epoch_ns(last_flow) FROM sources WHERE first_flow IS NOT NULL AND last_flow IS NOT NULL ORDER BY source";
        using var rows = sources.ExecuteReader();
        var result = new List<CoveredTime>();
        while (rows.Read())
        {
            var source = rows.GetString(0);
            result.Add(new CoveredTime(source, rows.GetString(1), rows.GetInt64(2), rows.GetInt64(3), hours.GetValueOrDefault(source) ?? []));
        }

        return result;
    }

    /// <summary>Where <paramref name="source"/> stopped, and the connections it stored near there.</summary>
    public ResumeState Resume(string source)
    {
        long? resume = null, last = null;
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT resume_from, last_flow FROM sources WHERE source = $source";
            cmd.Parameters.Add(new DuckDBParameter("source", source));
            using var reader = cmd.ExecuteReader();
            if (reader.Read())
            {
                resume = reader.IsDBNull(0) ? null : StoreTime.ToNs(reader.GetDateTime(0));
                last = reader.IsDBNull(1) ? null : StoreTime.ToNs(reader.GetDateTime(1));
            }
        }

        // the latest last-seen per 5-tuple, from the packed sets and from rows an older version wrote one per connection
        var latest = new Dictionary<FiveTuple, long>();
        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = "SELECT tuples FROM recent_connection_sets WHERE source = $source";
            cmd.Parameters.Add(new DuckDBParameter("source", source));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                using var blob = reader.GetStream(0);
                using var copy = new MemoryStream();
                blob.CopyTo(copy);
                RecentConnectionSets.Unpack(copy.GetBuffer().AsSpan(0, (int)copy.Length), latest);
            }
        }

        using (var cmd = _connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT protocol, source_ip, source_port, destination_ip, destination_port, max(last_seen) FROM recent_connections WHERE source = $source
                GROUP BY ALL
                """;
            cmd.Parameters.Add(new DuckDBParameter("source", source));
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                L4ProtocolNames.TryParse(reader.GetString(0), out var protocol);
                RecentConnectionSets.KeepLatest(latest, new FiveTuple(protocol, reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt32(4)),
                    StoreTime.ToNs(reader.GetDateTime(5)));
            }
        }

        var recent = latest.Select(p => (p.Key, p.Value)).ToList();
        return new ResumeState(resume, last, recent);
    }

    public IReadOnlyList<WorkloadRecord> Workloads()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"""
            SELECT w.labels, w.namespace_labels, w.sample_pods, w.first_seen, w.last_seen, {PeerColumns}
            FROM workloads w JOIN peers p USING (peer_id) ORDER BY p.peer_key
            """;
        var result = new List<WorkloadRecord>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result.Add(new WorkloadRecord(ReadPeer(reader, 5), Labels(reader.GetString(0)), Labels(reader.GetString(1)),
                reader.GetFieldValue<List<string>>(2), Utc(reader.GetDateTime(3)), Utc(reader.GetDateTime(4))));
        }

        return result;
    }

    public IReadOnlyList<PodRecord> Pods()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = $"""
            SELECT o.namespace, o.pod, o.labels, o.namespace_labels, o.ip, o.first_seen, o.last_seen, {PeerColumns}
            FROM pods o JOIN peers p USING (peer_id) ORDER BY o.namespace, o.pod
            """;
        var result = new List<PodRecord>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result.Add(new PodRecord(reader.GetString(0), reader.GetString(1), ReadPeer(reader, 7), Labels(reader.GetString(2)), Labels(reader.GetString(3)),
                NullableString(reader, 4), Utc(reader.GetDateTime(5)), Utc(reader.GetDateTime(6))));
        }

        return result;
    }

    /// <summary>Rebuilds a peer from the seven peer columns starting at <paramref name="at"/>.</summary>
    private static Peer ReadPeer(DbDataReader reader, int at)
    {
        if (!reader.IsDBNull(at + 2) && PeerKindNames.TryParseWorkloadKind(reader.GetString(at + 2), out var kind))
        {
            return Peer.ForWorkload(reader.GetString(at), reader.GetString(at + 1), kind);
        }

        PeerKindNames.TryParseEntity(reader.GetString(at + 3), out var entity);
        return Peer.ForEntity(entity, NullableString(reader, at + 4), reader.GetFieldValue<List<string>>(at + 5), NullableString(reader, at + 6));
    }

    private static SortedDictionary<string, string> Labels(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal);

    private static void AddNonZero(SortedDictionary<string, long> map, string key, long value)
    {
        if (value != 0)
        {
            map[key] = value;
        }
    }

    private static string? NullableString(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
    private static DateTimeOffset? NullableTime(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : Utc(reader.GetDateTime(i));
    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
