using DuckDB.NET.Data;
using Inference.Store.Reading;
using Inference.Store.Schema;
using Inference.Store.Writing;

namespace Inference.Store;

/// <summary>
/// The embedded DuckDB store. One instance owns the file's connection; DuckDB calls block, so writes go through
/// <see cref="StoreWriter"/> (one writer task) and reads are plain synchronous queries.
/// </summary>
public sealed class InferenceStore : IDisposable
{
    private readonly DuckDBConnection _connection;

    private InferenceStore(string path, DuckDBConnection connection, TimeProvider time)
    {
        Path = path;
        _connection = connection;
        Time = time;
        Batches = new BatchWriter(connection, time);
        Reads = new StoreReader(connection);
    }

    public string Path { get; }
    public TimeProvider Time { get; }
    internal BatchWriter Batches { get; }

    /// <summary>The read models (edges, status, workloads, resume state).</summary>
    public StoreReader Reads { get; }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and brings its schema up to date.</summary>
    public static InferenceStore Open(string path, StoreOptions? options = null, TimeProvider? time = null)
    {
        options ??= new StoreOptions();
        time ??= TimeProvider.System;
        var full = System.IO.Path.GetFullPath(path);
        if (options.ReadOnly && !File.Exists(full))
        {
            throw new StoreException($"no store at {full}: ingest flows first (inference ingest ...) or pass --db");
        }

        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !options.ReadOnly)
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new DuckDBConnection($"Data Source={full}{(options.ReadOnly ? ";ACCESS_MODE=READ_ONLY" : "")}");
        try
        {
            connection.Open();
        }
        catch (DuckDBException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            connection.Dispose();
            throw new StoreException($"the store {full} is in use by another process (an `inference ingest` or `serve` still running?)", ex);
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw new StoreException($"cannot open the store {full}: {ex.Message}", ex);
        }

        try
        {
            using (var cmd = connection.CreateCommand())
            {
                // DuckDB defaults to 80% of host RAM; a service shares its box
                cmd.CommandText = $"SET TimeZone = 'UTC'; SET memory_limit = '{options.MemoryLimit}'; SET threads = {Math.Max(1, options.Threads)};";
                cmd.ExecuteNonQuery();
            }

            if (!options.ReadOnly)
            {
                Migrator.Migrate(connection, time);
            }
            else if (Migrator.CurrentVersion(connection) != Migrator.Latest)
            {
                throw new StoreException($"the store {full} has schema version {Migrator.CurrentVersion(connection)}, this build expects {Migrator.Latest}: open it once read-write (any ingest) to migrate");
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        var store = new InferenceStore(full, connection, time);
        // every ingest source reports per-node flow hours (coverage's silent-node check)
        store.AddBatchExtension(new NodeHoursExtension());
        store.AddBatchExtension(new ImportedFilesExtension());
        return store;
    }

    /// <summary>Adds rows of a source's own (Kafka offsets, dead letters) to every batch's transaction.</summary>
    public void AddBatchExtension(IBatchExtension extension)
    {
        // one of each kind: a second registration would write the same rows twice
        if (!Batches.Extensions.Any(e => e.GetType() == extension.GetType()))
        {
            Batches.Extensions.Add(extension);
        }
    }

    public int SchemaVersion => Migrator.CurrentVersion(_connection);

    /// <summary>A connection for ad-hoc reads in the same process (tests, notebooks-like queries).</summary>
    public DuckDBConnection Connection => _connection;

    /// <summary>Writes DuckDB's WAL into the main file (a clean shutdown).</summary>
    public void Checkpoint()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "CHECKPOINT";
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
