using DuckDB.NET.Data;

namespace Inference.Store.Writing;

/// <summary>The statements every batch writer runs inside the batch's transaction: one place for the command boilerplate.</summary>
public static class StoreCommands
{
    /// <summary>Runs <paramref name="sql"/> with positional parameters <c>$1</c>, <c>$2</c>, ... (null becomes SQL NULL).</summary>
    public static void Execute(DuckDBConnection connection, DuckDBTransaction transaction, string sql, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        foreach (var value in values)
        {
            cmd.Parameters.Add(new DuckDBParameter { Value = value ?? DBNull.Value });
        }

        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Makes sure the temp table <paramref name="stage"/> with the columns of <paramref name="table"/> exists, for rows to be
    /// appended and then merged in one statement. Asked every batch: a rolled-back first batch takes the temp table with it.
    /// </summary>
    public static void EnsureStage(DuckDBConnection connection, DuckDBTransaction transaction, string stage, string table) =>
        Execute(connection, transaction, $"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT * FROM {table} LIMIT 0");
}
