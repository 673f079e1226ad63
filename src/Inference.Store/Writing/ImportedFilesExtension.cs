using DuckDB.NET.Data;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>What one file import read: its first <paramref name="Bytes"/> bytes, <paramref name="Lines"/> whole lines (see <c>imported_files</c>).</summary>
public sealed record ImportedFileRecord(string Source, long Bytes, long Lines, string HeadHash, string PrefixHash, DateTimeOffset ImportedAt);

/// <summary>Writes the <see cref="ImportedFileRecord"/> of a file import's last batch, in that batch's transaction.</summary>
public sealed class ImportedFilesExtension : IBatchExtension
{
    public void Write(DuckDBConnection connection, DuckDBTransaction transaction, IngestBatch batch)
    {
        foreach (var file in batch.Extensions.OfType<ImportedFileRecord>())
        {
            StoreCommands.Execute(connection, transaction, "INSERT INTO imported_files VALUES ($1, $2, $3, $4, $5, $6)",
                file.Source, file.Bytes, file.Lines, file.HeadHash, file.PrefixHash, file.ImportedAt.UtcDateTime);
        }
    }
}
