using System.CommandLine;
using System.Text.Json;
using Inference.Cli.Output;
using Inference.Core.Flows;
using Inference.Core.Time;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary><c>inference edges [-o table|json] [--namespace NS]</c>: every observed edge with its counts.</summary>
internal static class EdgesCommand
{
    public static Command Create()
    {
        var output = GlobalOptions.Output("table", "table", "json");
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Only edges with an end in this namespace (repeatable)" };
        var since = new Option<string?>("--since") { Description = "Only traffic after this time (duration back like 24h, or RFC 3339)" };
        var until = new Option<string?>("--until") { Description = "Only traffic before this time (duration back, or RFC 3339)" };
        var command = new Command("edges", "List observed connection edges (source, destination, protocol, port) with counts per verdict");
        command.Options.Add(output);
        command.Options.Add(namespaces);
        command.Options.Add(since);
        command.Options.Add(until);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var now = DateTimeOffset.UtcNow;
            var filter = new EdgeFilter
            {
                Namespaces = parseResult.GetValue(namespaces) ?? [],
                Since = TimeOption(parseResult.GetValue(since), "--since", now),
                Until = TimeOption(parseResult.GetValue(until), "--until", now),
            };
            IReadOnlyList<EdgeRecord> edges;
            using (var store = StoreAccess.Open(parseResult, readOnly: true))
            {
                edges = store.Reads.Edges(filter);
            }

            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(output) == "json")
            {
                await using var stream = new MemoryStream();
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartArray();
                    foreach (var edge in edges)
                    {
                        EdgeJson.WriteEdge(json, edge);
                    }

                    json.WriteEndArray();
                }

                await writer.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray()).AsMemory(), cancellationToken);
                return 0;
            }

            var table = Tables.New("SOURCE", "DESTINATION", "PROTO", "PORT", "CONNECTIONS", "VERDICTS", "FIRST SEEN", "LAST SEEN");
            foreach (var e in edges)
            {
                Tables.AddRow(table, e.Edge.Source.ToString(), e.Edge.Destination.ToString(), e.Edge.Protocol.ToWire(),
                    e.Edge.Protocol == L4Protocol.Icmp ? $"type {e.Edge.IcmpType}" : e.Edge.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    e.Connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(' ', e.Verdicts.Select(v => $"{v.Key}={v.Value}").Concat(e.DropReasons.Select(r => $"({r.Key}={r.Value})"))),
                    EdgeJson.Time(e.FirstSeen), EdgeJson.Time(e.LastSeen));
            }

            Tables.Write(writer, table);
            await writer.WriteLineAsync($"{edges.Count} edges".AsMemory(), cancellationToken);
            return 0;
        });
        return command;
    }

    internal static DateTimeOffset? TimeOption(string? text, string option, DateTimeOffset now)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return GoDuration.ParseTimeOrAgo(text, option, now);
        }
        catch (FormatException ex)
        {
            throw new CliException(ex.Message, 2, ex);
        }
    }
}
