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
        var all = batch.Extensions.OfType<NodeFlowHours>().ToList();
        if (all.Count == 0)
        {
            return;
        }

        // one appender and one upsert per batch: a statement per node and hour cost more than the whole batch's edges
        StoreCommands.EnsureStage(connection, transaction, "stage_node_hours", "node_hours");
        using (var appender = connection.CreateAppender("stage_node_hours"))
        {
            foreach (var hours in all)
            {
                foreach (var ((node, hour), flows) in hours.Flows)
                {
                    appender.CreateRow().AppendValue(batch.Source).AppendValue(node).AppendValue(hour.UtcDateTime).AppendValue(flows).EndRow();
                }
            }
        }

        StoreCommands.Execute(connection, transaction, """
            INSERT INTO node_hours SELECT source, node, hour, sum(flows) FROM stage_node_hours GROUP BY ALL
            ON CONFLICT (source, node, hour) DO UPDATE SET flows = node_hours.flows + excluded.flows;
            DELETE FROM stage_node_hours;
            """);
    }
}
