using System.CommandLine;
using Inference.Core.Connections;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;

namespace Inference.Cli.Commands;

/// <summary>
/// <c>inference demo</c>: the main job on bundled real captures, no cluster needed. Imports the sample flows through
/// the same pipeline as a real import into a fresh store and prints what it found.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--demo-db") { Description = "Where the demo store is written (recreated on every run)", DefaultValueFactory = _ => "inference-demo.duckdb" };
        var samples = new Option<string?>("--samples") { Description = "Folder of sample flows (default: the bundled ones)" };
        var command = new Command("demo", "Import the bundled sample flows (real Hubble captures) into a fresh store and show what was found");
        command.Options.Add(db);
        command.Options.Add(samples);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (parseResult.GetResult(GlobalOptions.Db) is { Implicit: false })
            {
                // the demo deletes and recreates its store: it must never do that to a store named for real work
                throw new CliException("demo: --db is not used; the demo writes its own store, recreated on every run (--demo-db PATH, default inference-demo.duckdb)", 2);
            }

            var path = Path.GetFullPath(parseResult.GetValue(db)!);
            var folder = parseResult.GetValue(samples) ?? Path.Combine(AppContext.BaseDirectory, "Samples");
            var hubbleFiles = Directory.Exists(Path.Combine(folder, "hubble"))
                ? Directory.GetFiles(Path.Combine(folder, "hubble")).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".ndjson", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
                : [];
            if (hubbleFiles.Count == 0)
            {
                throw new CliException($"no sample flows under {folder}/hubble");
            }

            foreach (var file in new[] { path, path + ".wal" })
            {
                File.Delete(file);
            }

            using (var store = InferenceStore.Open(path))
            {
                await output.WriteLineAsync($"Importing {hubbleFiles.Count} real Hubble captures into {path}".AsMemory(), cancellationToken);
                foreach (var file in hubbleFiles)
                {
                    var summary = await HubbleIngestRunner.ImportFileAsync(store, file,
                        new IngestOptions { Source = "hubble-file:" + Path.GetFileName(file), SourceKind = "hubble-file", Address = file, Connections = new ConnectionOptions() },
                        bad => error.WriteLine($"warning: skipped malformed line {bad}"), TimeProvider.System, cancellationToken);
                    await output.WriteLineAsync($"  {Path.GetFileName(file)}: {summary.FlowsRead} flows -> {summary.Connections} connections".AsMemory(), cancellationToken);
                    if (summary.Failure is { } failure)
                    {
                        await error.WriteLineAsync($"warning: {failure}");
                    }
                }

                await DemoCalicoStep.RunAsync(store, folder, output, error, cancellationToken);
            }

            await output.WriteLineAsync((Environment.NewLine + "Edges found:").AsMemory(), cancellationToken);
            var demoArgs = new[] { "--db", path };
            await CliApp.Build().Parse(["edges", .. demoArgs]).InvokeAsync(parseResult.InvocationConfiguration, cancellationToken);
            await output.WriteLineAsync((Environment.NewLine + "Sources and data gaps:").AsMemory(), cancellationToken);
            await CliApp.Build().Parse(["status", .. demoArgs]).InvokeAsync(parseResult.InvocationConfiguration, cancellationToken);
            await output.WriteLineAsync($"{Environment.NewLine}Explore further: inference edges --db {path} -o json   |   duckdb {path} \"SELECT * FROM edges\"".AsMemory(), cancellationToken);
            return 0;
        });
        return command;
    }
}
