using DuckDB.NET.Data;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// Source-specific rows (Kafka offsets, dead letters) that must commit in the same transaction as the batch's data,
/// read from <see cref="IngestBatch.Extensions"/>.
/// </summary>
public interface IBatchExtension
{
    void Write(DuckDBConnection connection, DuckDBTransaction transaction, IngestBatch batch);
}
