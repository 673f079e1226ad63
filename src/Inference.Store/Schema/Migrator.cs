using System.Reflection;
using DuckDB.NET.Data;

namespace Inference.Store.Schema;

/// <summary>
/// Applies the embedded <c>Migrations/NNN_name.sql</c> scripts the store has not seen yet, each in its own
/// transaction with its version row, so a crash mid-migration leaves the previous version intact.
/// </summary>
internal static class Migrator
{
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    public static int Latest => Scripts.Count == 0 ? 0 : Scripts[^1].Version;

    public static int CurrentVersion(DuckDBConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'";
        if (Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        cmd.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Applies the scripts newer than the store's version, up to <paramref name="upTo"/> (tests build old stores with it).</summary>
    public static void Migrate(DuckDBConnection connection, TimeProvider time, int upTo = int.MaxValue)
    {
        var current = CurrentVersion(connection);
        if (current > Latest)
        {
            throw new StoreException($"the store has schema version {current}, newer than this inference build knows ({Latest}); upgrade inference");
        }

        foreach (var (version, name, sql) in Scripts.Where(s => s.Version > current && s.Version <= upTo))
        {
            using var tx = connection.BeginTransaction();
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL);\n" + sql;
            cmd.ExecuteNonQuery();
            cmd.CommandText = "INSERT INTO schema_version VALUES ($version, $name, $at)";
            cmd.Parameters.Add(new DuckDBParameter("version", version));
            cmd.Parameters.Add(new DuckDBParameter("name", name));
            cmd.Parameters.Add(new DuckDBParameter("at", time.GetUtcNow().UtcDateTime));
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            // resource names look like Inference.Store.Migrations.001_initial.sql
            var file = resource["Inference.Store.Migrations.".Length..^4];
            var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, file, reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Item1).ToList();
    }
}
