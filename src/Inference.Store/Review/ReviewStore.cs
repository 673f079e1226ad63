using DuckDB.NET.Data;

namespace Inference.Store.Review;

/// <summary>
/// Reads and appends review decisions (table <c>review_decisions</c>, schema 4). Parameterized SQL only: every value
/// comes from a reviewer or from flow data. Pass a connection of its own (<c>store.Connection.Duplicate()</c>) when
/// a writer task is using the store's main connection.
/// </summary>
public static class ReviewStore
{
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Cleared = "cleared";

    public static long Append(DuckDBConnection connection, string ns, string policy, string ruleKey, string? ruleText, string decision,
        string note, string actor, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (decision is not (Approved or Rejected or Cleared))
        {
            throw new ArgumentException($"unknown decision '{decision}' (approved|rejected|cleared)", nameof(decision));
        }

        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            INSERT INTO review_decisions (namespace, policy, rule_key, rule_text, decision, note, actor, decided_at)
            VALUES ($ns, $policy, $rule, $text, $decision, $note, $actor, $at) RETURNING decision_id
            """;
        cmd.Parameters.Add(new DuckDBParameter("ns", ns));
        cmd.Parameters.Add(new DuckDBParameter("policy", policy));
        cmd.Parameters.Add(new DuckDBParameter("rule", ruleKey));
        cmd.Parameters.Add(new DuckDBParameter("text", (object?)ruleText ?? DBNull.Value));
        cmd.Parameters.Add(new DuckDBParameter("decision", decision));
        cmd.Parameters.Add(new DuckDBParameter("note", note));
        cmd.Parameters.Add(new DuckDBParameter("actor", actor));
        cmd.Parameters.Add(new DuckDBParameter("at", at.UtcDateTime));
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The latest decision per (namespace, policy, rule), "cleared" ones left out.</summary>
    public static IReadOnlyList<ReviewDecisionRecord> Current(DuckDBConnection connection)
    {
        var all = History(connection);
        return all.GroupBy(d => (d.Namespace, d.Policy, d.RuleKey))
            .Select(g => g.MaxBy(d => d.Id)!)
            .Where(d => d.Decision != Cleared)
            .OrderBy(d => d.Namespace, StringComparer.Ordinal).ThenBy(d => d.Policy, StringComparer.Ordinal).ThenBy(d => d.RuleKey, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every decision ever made, oldest first.</summary>
    public static IReadOnlyList<ReviewDecisionRecord> History(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT decision_id, namespace, policy, rule_key, rule_text, decision, note, actor, decided_at FROM review_decisions ORDER BY decision_id";
        using var reader = cmd.ExecuteReader();
        var list = new List<ReviewDecisionRecord>();
        while (reader.Read())
        {
            list.Add(new ReviewDecisionRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(8), DateTimeKind.Utc))));
        }

        return list;
    }
}
