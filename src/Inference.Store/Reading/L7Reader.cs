using System.Data.Common;
using DuckDB.NET.Data;
using Inference.Core.Flows;

namespace Inference.Store.Reading;

/// <summary>HTTP requests seen on an edge over the window: method, path, how many.</summary>
public sealed record EdgeHttpRecord(EdgeKey Edge, string Method, string Path, long Count);

/// <summary>A DNS query seen on an edge over the window.</summary>
public sealed record EdgeDnsRecord(EdgeKey Edge, string Query, long Count);

/// <summary>Reads the L7 observation tables (what <c>inference suggest</c> needs for L7 rules and DNS detection).</summary>
public static class L7Reader
{
    private const string EdgeColumns = """
        e.protocol, e.port, e.icmp_type,
        s.namespace, s.workload, s.workload_kind, s.entity, s.ip, s.names, s.name,
        d.namespace, d.workload, d.workload_kind, d.entity, d.ip, d.names, d.name
        """;

    public static IReadOnlyList<EdgeHttpRecord> Http(this StoreReader reads, InferenceStore store, EdgeFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _ = reads;
        var result = new List<EdgeHttpRecord>();
        using var cmd = Command(store, "http_observations", "o.method, o.path", filter);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result.Add(new EdgeHttpRecord(Edge(reader), reader.GetString(17), reader.GetString(18), reader.GetInt64(19)));
        }

        return [.. result.OrderBy(r => r.Edge).ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Path, StringComparer.Ordinal)];
    }

    public static IReadOnlyList<EdgeDnsRecord> Dns(this StoreReader reads, InferenceStore store, EdgeFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _ = reads;
        var result = new List<EdgeDnsRecord>();
        using var cmd = Command(store, "dns_observations", "o.query, ''", filter);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            result.Add(new EdgeDnsRecord(Edge(reader), reader.GetString(17), reader.GetInt64(19)));
        }

        return [.. result.OrderBy(r => r.Edge).ThenBy(r => r.Query, StringComparer.Ordinal)];
    }

    private static DuckDBCommand Command(InferenceStore store, string table, string columns, EdgeFilter? filter)
    {
        filter ??= new EdgeFilter();
        var cmd = store.Connection.CreateCommand();
        var where = new List<string>();
        WindowConditions.AddTimeWindow(cmd, where, "o", filter.Since, filter.Until);
        WindowConditions.AddNamespaces(cmd, where, filter.Namespaces, "(list_contains($namespaces, s.namespace) OR list_contains($namespaces, d.namespace))");

        // the table name is one of two constants above, never input
        cmd.CommandText = $"""
            SELECT {EdgeColumns}, {columns}, sum(o.count)::BIGINT
            FROM {table} o JOIN edges e USING (edge_id)
            JOIN peers s ON s.peer_id = e.source_id JOIN peers d ON d.peer_id = e.destination_id
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            GROUP BY ALL
            """;
        return cmd;
    }

    private static EdgeKey Edge(DbDataReader reader)
    {
        L4ProtocolNames.TryParse(reader.GetString(0), out var protocol);
        return new EdgeKey(Peer(reader, 3), Peer(reader, 10), protocol,
            reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetInt32(2));
    }

    private static Peer Peer(DbDataReader reader, int at)
    {
        if (!reader.IsDBNull(at + 2) && PeerKindNames.TryParseWorkloadKind(reader.GetString(at + 2), out var kind))
        {
            return Core.Flows.Peer.ForWorkload(reader.GetString(at), reader.GetString(at + 1), kind);
        }

        PeerKindNames.TryParseEntity(reader.GetString(at + 3), out var entity);
        return Core.Flows.Peer.ForEntity(entity, reader.IsDBNull(at + 4) ? null : reader.GetString(at + 4),
            reader.GetFieldValue<List<string>>(at + 5), reader.IsDBNull(at + 6) ? null : reader.GetString(at + 6));
    }
}
