using DuckDB.NET.Data;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// What one file import read: its first <paramref name="Bytes"/> bytes, <paramref name="Lines"/> whole lines (see
/// <c>imported_files</c>). <paramref name="Complete"/> is false for the progress an import records with each batch it
/// stores before its last: <paramref name="ResumeFromNs"/> is then where the connections still open began (as read back;
/// the writer takes it from the batch it is stored with).
/// </summary>
public sealed record ImportedFileRecord(string Source, long Bytes, long Lines, string HeadHash, string PrefixHash, DateTimeOffset ImportedAt,
    bool Complete = true, long? ResumeFromNs = null);

/// <summary>Writes the <see cref="ImportedFileRecord"/> a file import attaches to a batch, in that batch's transaction.</summary>
public sealed class ImportedFilesExtension : IBatchExtension
{
    public void Write(DuckDBConnection connection, DuckDBTransaction transaction, IngestBatch batch)
    {
        foreach (var file in batch.Extensions.OfType<ImportedFileRecord>())
        {
            // one progress row per source; the complete row replaces the progress rows it covers (a shorter complete
            // row, from an import stopped early, leaves a longer one of a process that died: that is still unfinished)
            StoreCommands.Execute(connection, transaction, "DELETE FROM imported_files WHERE source = $1 AND NOT complete AND ($2 OR lines <= $3)",
                file.Source, !file.Complete, file.Lines);
            // where the batch's still-open connections began: what a re-run after this process died replays from
            var resume = file.Complete ? null : batch.ResumeFromNs;
            StoreCommands.Execute(connection, transaction, "INSERT INTO imported_files VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                file.Source, file.Bytes, file.Lines, file.HeadHash, file.PrefixHash, file.ImportedAt.UtcDateTime, file.Complete,
                resume is { } r ? StoreTime.ToDateTime(r) : null);
        }
    }
}
