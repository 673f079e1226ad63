using System.Globalization;
using DuckDB.NET.Data;
using Inference.Core.Diff;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Store;
using Inference.Store.Reading;

namespace Inference.Cli.Diff;

/// <summary>
/// Reads what the cluster itself decided from the store: Calico's per-direction enforced and pending (staged)
/// decisions of each edge, and the lost events, unavailable nodes and gaps that overlap the window.
/// </summary>
internal static class ClusterVerdictReader
{
    public static IReadOnlyList<ClusterPolicyVerdict> Calico(InferenceStore store, EdgeFilter filter)
    {
        using var cmd = store.Connection.CreateCommand();
        var where = new List<string> { "direction IN ('egress', 'ingress')" };
        if (filter.Since is { } since)
        {
            where.Add("last_seen >= $since");
            cmd.Parameters.Add(new DuckDBParameter("since", since.UtcDateTime));
        }

        if (filter.Until is { } until)
        {
            where.Add("first_seen <= $until");
            cmd.Parameters.Add(new DuckDBParameter("until", until.UtcDateTime));
        }

        cmd.CommandText = $"""
            SELECT source, source_peer, destination_peer, protocol, port, direction, enforced_action, enforced_by, pending_action, pending_by,
                   sum(connections)::BIGINT
            FROM calico_edge_policies WHERE {string.Join(" AND ", where)}
            GROUP BY ALL ORDER BY ALL
            """;
        var result = new List<ClusterPolicyVerdict>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            L4ProtocolNames.TryParse(reader.GetString(3), out var protocol);
            result.Add(new ClusterPolicyVerdict(reader.GetString(1), reader.GetString(2), protocol, reader.IsDBNull(4) ? null : reader.GetInt32(4),
                reader.GetString(5) == "egress" ? PolicyDirection.Egress : PolicyDirection.Ingress,
                reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetInt64(10), "calico:" + reader.GetString(0)));
        }

        return result;
    }

    public static WindowGaps Gaps(InferenceStore store, DateTimeOffset? since, DateTimeOffset? until)
    {
        var status = store.Reads.Status();
        bool Overlaps(DateTimeOffset? from, DateTimeOffset? to) =>
            (since is null || to is null || to >= since) && (until is null || from is null || from <= until);
        var lost = status.LostEvents.Where(l => Overlaps(l.FirstLost ?? l.ObservedAt, l.LastLost ?? l.ObservedAt)).ToList();
        var nodes = status.UnavailableNodes.Where(n => Overlaps(n.ObservedAt, n.ObservedAt))
            .Select(n => $"{n.Node} ({n.State}{(n.Message is null ? "" : ": " + n.Message)}, {n.ObservedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)})")
            .Distinct(StringComparer.Ordinal).ToList();
        var gaps = status.Gaps.Where(g => Overlaps(g.From, g.To)).Select(g => new DataGap(g.Source, g.Node, g.From, g.To, g.Reason)).ToList();
        return new WindowGaps(lost.Sum(l => l.Count), [.. lost.Select(l => l.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], nodes, gaps);
    }
}
