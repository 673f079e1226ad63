using System.CommandLine;
using System.Text.Json;
using Inference.Cli.Coverage;
using Inference.Core.Coverage;
using Inference.Core.Time;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary><c>inference coverage [-o table|json] [--plot FILE.png]</c>: is the window long enough, and what may it have missed.</summary>
internal static class CoverageCommand
{
    public static Command Create()
    {
        var output = GlobalOptions.Output("table", "table", "json");
        var stableAfter = new Option<string>("--stable-after") { Description = "Stable once no new edge appeared for this long (Go duration)", DefaultValueFactory = _ => "48h", HelpName = "DURATION" };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Only edges with an end in this namespace (repeatable)" };
        var workloads = new Option<bool>("--workloads") { Description = "Also list every workload (default: only under-covered ones)" };
        var plot = new Option<string?>("--plot") { Description = "Write the discovery-curve chart to this PNG file", HelpName = "FILE.png" };
        var command = new Command("coverage", "Is the window enough? Discovery curve, once-seen edges, periodic edges, status (Learning/Stabilizing/Stable) and blind spots");
        command.Options.Add(output);
        command.Options.Add(stableAfter);
        command.Options.Add(namespaces);
        command.Options.Add(workloads);
        command.Options.Add(plot);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TimeSpan stable;
            try
            {
                stable = GoDuration.Parse(parseResult.GetValue(stableAfter)!, "--stable-after");
            }
            catch (FormatException ex)
            {
                throw new CliException(ex.Message, 2, ex);
            }

            CoverageReport report;
            using (var store = StoreAccess.Open(parseResult, readOnly: true))
            {
                var window = store.ReadWindow(new ActivityFilter { Namespaces = parseResult.GetValue(namespaces) ?? [] }, cancellationToken);
                report = CoverageAnalyzer.Analyze(window, new CoverageOptions { StableAfter = stable }, cancellationToken);
            }

            var writer = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(plot) is { } png)
            {
                DiscoveryPlot.Save(report, png);
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"wrote the discovery curve to {Path.GetFullPath(png)}".AsMemory(), cancellationToken);
            }

            if (parseResult.GetValue(output) == "json")
            {
                await using var stream = new MemoryStream();
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    CoverageJson.Write(json, report, parseResult.GetValue(workloads));
                }

                await writer.WriteLineAsync(System.Text.Encoding.UTF8.GetString(stream.ToArray()).AsMemory(), cancellationToken);
                return 0;
            }

            await CoverageTables.WriteAsync(writer, report, parseResult.GetValue(workloads), cancellationToken);
            return 0;
        });
        return command;
    }
}
