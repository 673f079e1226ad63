using DuckDB.NET.Data;
using Inference.Core.Activity;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// Writes the <see cref="NodeFlowHours"/> found in a batch's extensions into <c>node_hours</c>, in the batch's transaction.
/// Every store registers it when opened; the Hubble pipeline adds the counts to each batch.
/// </summary>
public sealed class NodeHoursExtension : IBatchExtension
{
    public void Write(DuckDBConnection connection, DuckDBTransaction transaction, IngestBatch batch)
    {
        foreach (var hours in batch.Extensions.OfType<NodeFlowHours>())
        {
            foreach (var ((node, hour), flows) in hours.Flows)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = transaction;
                cmd.CommandText = """
                    INSERT INTO node_hours VALUES ($source, $node, $hour, $flows)
                    ON CONFLICT (source, node, hour) DO UPDATE SET flows = node_hours.flows + excluded.flows
                    """;
                cmd.Parameters.Add(new DuckDBParameter("source", batch.Source));
                cmd.Parameters.Add(new DuckDBParameter("node", node));
                cmd.Parameters.Add(new DuckDBParameter("hour", hour.UtcDateTime));
                cmd.Parameters.Add(new DuckDBParameter("flows", flows));
                cmd.ExecuteNonQuery();
            }
        }
    }
}
