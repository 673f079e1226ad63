using System.Data.Common;
using DuckDB.NET.Data;
using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Store.Reading;

/// <summary>Which part of the store coverage and anomaly scoring read.</summary>
public sealed record ActivityFilter
{
    /// <summary>Only edges with an end in one of these namespaces (empty: all).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// Reads a window's hourly edge series, DNS first resolutions, and blind-spot inputs (lost events, node status, gaps,
/// node hours) for coverage and anomaly scoring. Buckets of every ingest source are added up per clock hour.
/// </summary>
public static class ActivityReader
{
    public static WindowActivity ReadWindow(this InferenceStore store, ActivityFilter? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new ActivityFilter();
        var connection = store.Connection;
        var edgeKeys = EdgeKeys(connection);
        var series = Series(connection, filter, edgeKeys, cancellationToken);
        var edges = series.OrderBy(s => s.Edge).ToList();
        var (start, end) = Window(connection, edges, filter);
        var (firstResolved, visible) = Dns(connection, edgeKeys);
        var status = store.Reads.Status();
        return new WindowActivity
        {
            Start = start,
            End = end,
            Edges = edges,
            FirstResolved = firstResolved,
            DnsVisibleClients = visible,
            BlindSpots = new BlindSpotInputs
            {
                LostEvents = status.LostEvents.Select(l => new LostEvents(l.Source, l.Node, l.LostSource, l.Count, l.FirstLost, l.LastLost)).ToList(),
                UnavailableNodes = status.UnavailableNodes.Select(n => new NodeOutage(n.Source, n.Node, n.State, n.Message, n.ObservedAt)).ToList(),
                Gaps = status.Gaps.Select(g => new ReadGap(g.Source, g.Node, g.From, g.To, g.Reason)).ToList(),
                NodeHours = NodeHours(connection),
            },
        };
    }

    private static Dictionary<int, EdgeKey> EdgeKeys(DuckDBConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT e.edge_id, e.protocol, e.port, e.icmp_type,
                   s.namespace, s.workload, s.workload_kind, s.entity, s.ip, s.names, s.name,
                   d.namespace, d.workload, d.workload_kind, d.entity, d.ip, d.names, d.name
            FROM edges e JOIN peers s ON s.peer_id = e.source_id JOIN peers d ON d.peer_id = e.destination_id
            """;
        var keys = new Dictionary<int, EdgeKey>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            L4ProtocolNames.TryParse(reader.GetString(1), out var protocol);
            keys[reader.GetInt32(0)] = new EdgeKey(ReadPeer(reader, 4), ReadPeer(reader, 11), protocol,
                reader.IsDBNull(2) ? null : reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt32(3));
        }

        return keys;
    }

    private static List<EdgeActivity> Series(DuckDBConnection connection, ActivityFilter filter, Dictionary<int, EdgeKey> keys, CancellationToken cancellationToken)
    {
        using var cmd = connection.CreateCommand();
        var where = new List<string>();
        WindowConditions.AddTimeWindow(cmd, where, "b", filter.Since, filter.Until);
        WindowConditions.AddNamespaces(cmd, where, filter.Namespaces, """
                b.edge_id IN (SELECT e.edge_id FROM edges e JOIN peers s ON s.peer_id = e.source_id JOIN peers d ON d.peer_id = e.destination_id
                              WHERE list_contains($namespaces, s.namespace) OR list_contains($namespaces, d.namespace))
                """);

        cmd.CommandText = $"""
            SELECT b.edge_id, date_trunc('hour', b.bucket) AS hour, sum(b.connections)::BIGINT, sum(b.dropped)::BIGINT,
                   max(b.distinct_source_pods)::BIGINT, min(b.first_seen), max(b.last_seen)
            FROM edge_buckets b
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            GROUP BY b.edge_id, hour ORDER BY b.edge_id, hour
            """;
        var result = new List<EdgeActivity>();
        var hours = new List<HourActivity>();
        var current = -1;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetInt32(0);
            if (id != current)
            {
                Flush();
                current = id;
                if ((result.Count & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            hours.Add(new HourActivity(Utc(reader.GetDateTime(1)), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                Utc(reader.GetDateTime(5)), Utc(reader.GetDateTime(6))));
        }

        Flush();
        return result;

        void Flush()
        {
            if (hours.Count > 0 && keys.TryGetValue(current, out var key))
            {
                result.Add(new EdgeActivity(key, hours.ToArray()));
            }

            hours.Clear();
        }
    }

    /// <summary>The window read: what the sources say they covered, widened to the edges read, narrowed to the filter.</summary>
    private static (DateTimeOffset, DateTimeOffset) Window(DuckDBConnection connection, List<EdgeActivity> edges, ActivityFilter filter)
    {
        var (start, end) = WindowActivity.Span(edges);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT min(first_flow), max(last_flow) FROM sources";
        using var reader = cmd.ExecuteReader();
        if (reader.Read() && !reader.IsDBNull(0) && !reader.IsDBNull(1))
        {
            var first = Utc(reader.GetDateTime(0));
            var last = Utc(reader.GetDateTime(1));
            start = edges.Count == 0 || first < start ? first : start;
            end = edges.Count == 0 || last > end ? last : end;
        }

        if (filter.Since is { } since && since > start)
        {
            start = since;
        }

        if (filter.Until is { } until && until < end)
        {
            end = until;
        }

        return (start, end < start ? start : end);
    }

    private static (Dictionary<string, DateTimeOffset>, HashSet<Peer>) Dns(DuckDBConnection connection, Dictionary<int, EdgeKey> keys)
    {
        var first = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var visible = new HashSet<Peer>();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT edge_id, query, rcode, min(first_seen) FROM dns_observations GROUP BY ALL ORDER BY ALL";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (keys.TryGetValue(reader.GetInt32(0), out var edge) && edge.Source.IsWorkload)
            {
                visible.Add(edge.Source);
            }

            if (reader.GetInt32(2) != 0)
            {
                continue;
            }

            var name = Peer.NormalizeName(reader.GetString(1));
            var at = Utc(reader.GetDateTime(3));
            if (!first.TryGetValue(name, out var known) || at < known)
            {
                first[name] = at;
            }
        }

        return (first, visible);
    }

    private static Dictionary<string, IReadOnlySet<DateTimeOffset>>? NodeHours(DuckDBConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT node, hour FROM node_hours WHERE flows > 0 ORDER BY node, hour";
        var result = new Dictionary<string, IReadOnlySet<DateTimeOffset>>(StringComparer.Ordinal);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var node = reader.GetString(0);
            if (!result.TryGetValue(node, out var set))
            {
                result[node] = set = new HashSet<DateTimeOffset>();
            }

            ((HashSet<DateTimeOffset>)set).Add(Utc(reader.GetDateTime(1)));
        }

        return result.Count == 0 ? null : result;
    }

    /// <summary>Rebuilds a peer from the seven peer columns starting at <paramref name="at"/> (the same layout as <see cref="StoreReader"/>).</summary>
    private static Peer ReadPeer(DbDataReader reader, int at)
    {
        if (!reader.IsDBNull(at + 2) && PeerKindNames.TryParseWorkloadKind(reader.GetString(at + 2), out var kind))
        {
            return Peer.ForWorkload(reader.GetString(at), reader.GetString(at + 1), kind);
        }

        PeerKindNames.TryParseEntity(reader.GetString(at + 3), out var entity);
        return Peer.ForEntity(entity, reader.IsDBNull(at + 4) ? null : reader.GetString(at + 4), reader.GetFieldValue<List<string>>(at + 5),
            reader.IsDBNull(at + 6) ? null : reader.GetString(at + 6));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
