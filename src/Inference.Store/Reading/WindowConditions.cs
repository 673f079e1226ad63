using DuckDB.NET.Data;

namespace Inference.Store.Reading;

/// <summary>The WHERE conditions every windowed read shares, with their parameters (never spliced values).</summary>
internal static class WindowConditions
{
    /// <summary>Rows of table alias <paramref name="alias"/> whose [first_seen, last_seen] overlaps [since, until].</summary>
    public static void AddTimeWindow(DuckDBCommand cmd, List<string> where, string alias, DateTimeOffset? since, DateTimeOffset? until)
    {
        if (since is { } s)
        {
            where.Add($"{alias}.last_seen >= $since");
            cmd.Parameters.Add(new DuckDBParameter("since", s.UtcDateTime));
        }

        if (until is { } u)
        {
            where.Add($"{alias}.first_seen <= $until");
            cmd.Parameters.Add(new DuckDBParameter("until", u.UtcDateTime));
        }
    }

    /// <summary>Adds <paramref name="condition"/> (which reads <c>$namespaces</c>) when namespaces are given.</summary>
    public static void AddNamespaces(DuckDBCommand cmd, List<string> where, IReadOnlyList<string> namespaces, string condition)
    {
        if (namespaces.Count > 0)
        {
            where.Add(condition);
            cmd.Parameters.Add(new DuckDBParameter("namespaces", namespaces.ToList()));
        }
    }

    public static string Where(List<string> where) => where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "";
}
