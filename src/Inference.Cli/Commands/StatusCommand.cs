using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Inference.Cli.Output;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary><c>inference status</c>: per source what was read and covered, and every sign of missing data.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var output = GlobalOptions.Output("table", "table", "json");
        var command = new Command("status", "Per ingest source: flows read, connections, edges, time window covered, lost events, unavailable nodes and gaps");
        command.Options.Add(output);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            StoreStatus status;
            IReadOnlyList<DeadLetterSummary> deadLetters;
            IReadOnlyList<UnfinishedImportJson> unfinished;
            using (var store = StoreAccess.Open(parseResult, readOnly: true))
            {
                status = store.Reads.Status();
                deadLetters = DeadLetterReader.Summaries(store);
                unfinished = [.. store.Reads.UnfinishedImports().Select(u => new UnfinishedImportJson(u.Source, u.Lines, u.Bytes, u.ImportedAt))];
            }

            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(output) == "json")
            {
                var json = new StatusJson(status.SchemaVersion, status.Sources, status.LostEvents, status.UnavailableNodes, status.Gaps, StatusDeadLetters.Json(deadLetters), unfinished);
                await writer.WriteLineAsync(JsonSerializer.Serialize(json, JsonOptions).AsMemory(), cancellationToken);
                return 0;
            }

            var sources = Tables.New("SOURCE", "KIND", "FLOWS", "CONNECTIONS", "EDGES", "DUPLICATES", "WINDOW");
            foreach (var s in status.Sources)
            {
                Tables.AddRow(sources, s.Source, s.Kind, N(s.FlowsRead), N(s.Connections), N(s.Edges), N(s.Duplicates),
                    s.FirstFlow is { } f && s.LastFlow is { } l ? $"{EdgeJson.Time(f)} .. {EdgeJson.Time(l)} ({Inference.Core.Time.GoDuration.Format(l - f)})" : "no flows");
            }

            Tables.Write(writer, sources);
            await StatusDeadLetters.WriteAsync(writer, deadLetters, cancellationToken);
            if (unfinished.Count > 0)
            {
                var imports = Tables.New("SOURCE", "LINES READ", "LAST STORED");
                foreach (var u in unfinished)
                {
                    Tables.AddRow(imports, u.Source, N(u.Lines), T(u.LastStored));
                }

                await writer.WriteLineAsync("File imports that did not finish (run the same import again: it finishes them without counting anything twice):".AsMemory(), cancellationToken);
                Tables.Write(writer, imports);
            }

            if (status.LostEvents.Count == 0 && status.UnavailableNodes.Count == 0 && status.Gaps.Count == 0)
            {
                await writer.WriteLineAsync("No lost events, unavailable nodes or gaps recorded.".AsMemory(), cancellationToken);
                return 0;
            }

            if (status.LostEvents.Count > 0)
            {
                var lost = Tables.New("SOURCE", "NODE", "LOST BY", "EVENTS", "FIRST", "LAST");
                foreach (var l in status.LostEvents)
                {
                    Tables.AddRow(lost, l.Source, l.Node, l.LostSource, N(l.Count), T(l.FirstLost ?? l.ObservedAt), T(l.LastLost ?? l.ObservedAt));
                }

                await writer.WriteLineAsync("Lost events:".AsMemory(), cancellationToken);
                Tables.Write(writer, lost);
            }

            if (status.UnavailableNodes.Count > 0)
            {
                var nodes = Tables.New("SOURCE", "NODE", "STATE", "AT", "MESSAGE");
                foreach (var n in status.UnavailableNodes)
                {
                    Tables.AddRow(nodes, n.Source, n.Node, n.State, T(n.ObservedAt), n.Message);
                }

                await writer.WriteLineAsync("Unavailable nodes:".AsMemory(), cancellationToken);
                Tables.Write(writer, nodes);
            }

            if (status.Gaps.Count > 0)
            {
                var gaps = Tables.New("SOURCE", "NODE", "FROM", "TO", "REASON");
                foreach (var g in status.Gaps)
                {
                    Tables.AddRow(gaps, g.Source, g.Node ?? "all", T(g.From), T(g.To), g.Reason);
                }

                await writer.WriteLineAsync("Data gaps:".AsMemory(), cancellationToken);
                Tables.Write(writer, gaps);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The store's status and the Kafka sources' dead letters, as <c>status -o json</c> writes them.</summary>
    private sealed record StatusJson(
        int SchemaVersion,
        IReadOnlyList<SourceStatus> Sources,
        IReadOnlyList<LostEventsStatus> LostEvents,
        IReadOnlyList<NodeStatusEntry> UnavailableNodes,
        IReadOnlyList<DataGapEntry> Gaps,
        IReadOnlyList<DeadLettersJson> DeadLetters,
        IReadOnlyList<UnfinishedImportJson> UnfinishedImports);

    /// <summary>A file import that did not finish: how far it read, and when it last stored a batch.</summary>
    private sealed record UnfinishedImportJson(string Source, long Lines, long Bytes, DateTimeOffset LastStored);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string T(DateTimeOffset t) => EdgeJson.Time(t);
}
