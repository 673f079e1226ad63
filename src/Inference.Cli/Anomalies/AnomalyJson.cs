using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Cli.Output;
using Inference.Core.Anomalies;
using Inference.Store.Reading;

namespace Inference.Cli.Anomalies;

/// <summary>An anomaly row: exactly the fields `inference edges` writes for the edge, plus rank, score, flagged and reasons.</summary>
internal static class AnomalyJson
{
    public static JsonObject Row(EdgeAnomaly anomaly, EdgeRecord? record, int rank)
    {
        JsonObject row;
        if (record is not null)
        {
            // the edge fields come from EdgeJson itself, so they cannot drift from `inference edges`
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                EdgeJson.WriteEdge(json, record);
            }

            row = JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
        }
        else
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                EdgeJson.WriteEdgeFields(json, anomaly.Edge);
                json.WriteEndObject();
            }

            row = JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
        }

        row["rank"] = rank;
        row["score"] = Math.Round(anomaly.Score, 4);
        row["flagged"] = anomaly.Flagged;
        var reasons = new JsonArray();
        foreach (var r in anomaly.Reasons)
        {
            reasons.Add(new JsonObject
            {
                ["feature"] = r.Feature,
                ["value"] = r.Value,
                ["contribution"] = r.Contribution,
                ["description"] = r.Description,
            });
        }

        row["reasons"] = reasons;
        return row;
    }
}
