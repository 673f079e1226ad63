using System.Text.Json;
using Inference.Cli.Output;
using Inference.Core.Coverage;

namespace Inference.Cli.Coverage;

/// <summary>The JSON shape of a coverage report (also the evidence block suggest and diff can embed via <see cref="WriteScope"/>).</summary>
public static class CoverageJson
{
    public static void Write(Utf8JsonWriter json, CoverageReport report, bool workloads)
    {
        json.WriteStartObject();
        json.WriteString("windowStart", EdgeJson.Time(report.WindowStart));
        json.WriteString("windowEnd", EdgeJson.Time(report.WindowEnd));
        json.WriteNumber("windowHours", Math.Round(report.Window.TotalHours, 2));
        json.WriteBoolean("lowCoverage", report.IsLow);
        json.WriteString("headline", report.Headline);
        json.WritePropertyName("cluster");
        WriteScope(json, report.Cluster);
        json.WriteStartArray("namespaces");
        foreach (var scope in report.Namespaces)
        {
            WriteScope(json, scope);
        }

        json.WriteEndArray();
        json.WriteStartArray("workloads");
        foreach (var scope in report.Workloads.Where(w => workloads || w.IsUnderCovered))
        {
            WriteScope(json, scope);
        }

        json.WriteEndArray();
        json.WriteStartArray("blindSpots");
        foreach (var b in report.BlindSpots)
        {
            json.WriteStartObject();
            json.WriteString("kind", b.Kind);
            json.WriteString("subject", b.Subject);
            WriteTime(json, "from", b.From);
            WriteTime(json, "to", b.To);
            json.WriteString("detail", b.Detail);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("notes");
        foreach (var note in report.Notes)
        {
            json.WriteStringValue(note);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteScope(Utf8JsonWriter json, ScopeCoverage scope)
    {
        json.WriteStartObject();
        json.WriteString("scope", scope.Scope);
        json.WriteString("name", scope.Name);
        json.WriteString("status", scope.Status.ToString());
        json.WriteString("statusReason", scope.StatusReason);
        json.WriteNumber("edges", scope.Edges);
        json.WriteNumber("connections", scope.Connections);
        json.WriteNumber("seenOnce", scope.SeenOnce);
        json.WriteNumber("seenOnceShare", Math.Round(scope.SeenOnceShare, 4));
        json.WriteNumber("seenOneDay", scope.SeenOneDay);
        json.WriteNumber("seenOneDayShare", Math.Round(scope.SeenOneDayShare, 4));
        json.WriteNumber("newEdgeChance", Math.Round(scope.NewEdgeChance, 6));
        WriteTime(json, "lastNewEdge", scope.LastNewEdge);
        json.WriteStartArray("discovery");
        foreach (var d in scope.Discovery)
        {
            json.WriteStartObject();
            json.WriteString("day", d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("newEdges", d.NewEdges);
            json.WriteNumber("totalEdges", d.TotalEdges);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("periodic");
        foreach (var p in scope.Periodic)
        {
            json.WriteStartObject();
            EdgeJson.WriteEdgeFields(json, p.Edge);
            json.WriteString("period", p.Period);
            if (p.Length is { } length)
            {
                json.WriteNumber("periodHours", length.TotalHours);
            }
            else
            {
                json.WriteNull("periodHours");
            }

            json.WriteNumber("runs", p.Runs);
            json.WriteBoolean("covered", p.Covered);
            json.WriteString("note", p.Note);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("underCovered", scope.IsUnderCovered);
        json.WriteStartArray("underCoveredReasons");
        foreach (var reason in scope.UnderCovered)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string property, DateTimeOffset? t)
    {
        if (t is { } value)
        {
            json.WriteString(property, EdgeJson.Time(value));
        }
        else
        {
            json.WriteNull(property);
        }
    }
}
