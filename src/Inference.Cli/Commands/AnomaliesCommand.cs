using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Cli.Anomalies;
using Inference.Cli.Output;
using Inference.Core.Anomalies;
using Inference.Core.Flows;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary><c>inference anomalies [--top N] [-o table|json]</c>: every edge of the window scored, most anomalous first, with its reasons.</summary>
internal static class AnomaliesCommand
{
    public static Command Create()
    {
        var output = GlobalOptions.Output("table", "table", "json");
        var top = new Option<int>("--top") { Description = "Show the N most anomalous edges (0: all)", DefaultValueFactory = _ => 20, HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "Seed of the randomized PCA (same seed, same store: same scores)", DefaultValueFactory = _ => 42 };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Only edges with an end in this namespace (repeatable)" };
        var command = new Command("anomalies", "Score every edge of the window (ML.NET randomized PCA over per-edge features) and list the most anomalous with the features that drove them");
        command.Options.Add(output);
        command.Options.Add(top);
        command.Options.Add(seed);
        command.Options.Add(namespaces);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var limit = parseResult.GetValue(top);
            if (limit < 0)
            {
                throw new CliException("--top must be 0 (all) or more", 2);
            }

            var filter = new ActivityFilter { Namespaces = parseResult.GetValue(namespaces) ?? [] };
            AnomalyScores scores;
            Dictionary<EdgeKey, EdgeRecord> records;
            using (var store = StoreAccess.Open(parseResult, readOnly: true))
            {
                var window = store.ReadWindow(filter, cancellationToken);
                scores = AnomalyDetector.Score(window, new AnomalyOptions { Seed = parseResult.GetValue(seed) }, cancellationToken);
                records = store.Reads.Edges(new EdgeFilter { Namespaces = filter.Namespaces }).ToDictionary(e => e.Edge);
            }

            var writer = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            foreach (var note in scores.Notes)
            {
                await error.WriteLineAsync($"note: {note}".AsMemory(), cancellationToken);
            }

            var shown = limit == 0 ? scores.Ranked : scores.Ranked.Take(limit).ToList();
            if (parseResult.GetValue(output) == "json")
            {
                var rows = new JsonArray();
                for (var i = 0; i < shown.Count; i++)
                {
                    rows.Add(AnomalyJson.Row(shown[i], records.GetValueOrDefault(shown[i].Edge), i + 1));
                }

                await writer.WriteLineAsync(rows.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).AsMemory(), cancellationToken);
                return 0;
            }

            var table = Tables.New("#", "SCORE", "FLAG", "SOURCE", "DESTINATION", "PORT", "CONNECTIONS", "WHY");
            for (var i = 0; i < shown.Count; i++)
            {
                var a = shown[i];
                Tables.AddRow(table, (i + 1).ToString(CultureInfo.InvariantCulture), a.Score.ToString("0.000", CultureInfo.InvariantCulture),
                    a.Flagged ? "review" : "", a.Edge.Source.ToString(), a.Edge.Destination.ToString(),
                    $"{a.Edge.Protocol.ToWire()}/{(a.Edge.Protocol == L4Protocol.Icmp ? $"type {a.Edge.IcmpType}" : a.Edge.Port?.ToString(CultureInfo.InvariantCulture))}",
                    a.Features[EdgeFeature.Connections].ToString("N0", CultureInfo.InvariantCulture),
                    string.Join(", ", a.Reasons.Select(r => $"{r.Feature}={(Math.Abs(r.Value) < 0.005 ? 0 : r.Value).ToString("0.##", CultureInfo.InvariantCulture)} ({r.Contribution.ToString("0%", CultureInfo.InvariantCulture)})")));
            }

            Tables.Write(writer, table);
            var flagged = scores.Ranked.Count(a => a.Flagged);
            await writer.WriteLineAsync($"{scores.Ranked.Count} edges scored, {flagged} flagged for review (score >= {new AnomalyOptions().FlagThreshold.ToString(CultureInfo.InvariantCulture)}); model: {scores.Model}".AsMemory(), cancellationToken);
            return 0;
        });
        return command;
    }
}
