using System.CommandLine;
using System.Text;
using Inference.Cli.Policies;
using Inference.Core.Evaluation;
using Inference.Core.Policies;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Json;

namespace Inference.Cli.Commands;

/// <summary>
/// <c>inference evaluate</c>: evaluates each flow of a Hubble JSON file against policies, as a connection attempt in
/// its own direction, and says which rule allowed it or which policies isolate it.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var policies = new Option<string[]>("--policies", "-p")
        {
            Description = "Policy file or directory (YAML/JSON, multi-document, kind: List); repeatable",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "PATH",
        };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Cluster snapshot: `kubectl get namespaces,pods -A -o yaml` output (default: pods seen in the store)",
            HelpName = "FILE",
        };
        var flows = new Option<string>("--flows")
        {
            Description = "Flows to evaluate: `hubble observe -o jsonpb` lines",
            Required = true,
            HelpName = "FILE",
        };
        var ipBlockPods = new Option<bool>("--ipblock-matches-pod-ips")
        {
            Description = "Let ipBlock match pod and node addresses (Calico, upstream e2e); default: external addresses only (Cilium)",
        };
        var output = GlobalOptions.Output("table", "table", "json");
        var command = new Command("evaluate", "Evaluate flows against NetworkPolicy / CiliumNetworkPolicy files")
        {
            policies, cluster, flows, ipBlockPods, output,
        };
        command.SetAction(async (parseResult, ct) =>
        {
            var config = parseResult.InvocationConfiguration;
            return await RunAsync(parseResult.GetValue(policies)!, parseResult.GetValue(cluster), parseResult.GetValue(flows)!,
                parseResult.GetValue(ipBlockPods), parseResult.GetValue(output)!, parseResult.GetValue(GlobalOptions.Db)!, config.Output, config.Error, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(string[] policyPaths, string? clusterPath, string flowsPath, bool ipBlockPods, string format, string db,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!File.Exists(flowsPath))
        {
            throw new CliException($"--flows {flowsPath}: no such file");
        }

        var (policySet, diagnostics) = await PolicyFiles.LoadAsync(policyPaths, cancellationToken);
        var policyErrors = 0;
        foreach (var d in diagnostics)
        {
            policyErrors += d.Severity == DiagnosticSeverity.Error ? 1 : 0;
            await error.WriteLineAsync(d.ToString());
        }

        ClusterSnapshot snapshot;
        if (clusterPath is not null)
        {
            var (fromFile, snapshotDiagnostics) = await ClusterSnapshots.FromFileAsync(clusterPath, cancellationToken);
            foreach (var d in snapshotDiagnostics)
            {
                await error.WriteLineAsync(d.ToString());
            }

            snapshot = fromFile;
        }
        else
        {
            var (fromStore, note) = ClusterSnapshots.FromStore(db);
            await error.WriteLineAsync($"note: {note}");
            snapshot = fromStore;
        }

        await error.WriteLineAsync($"loaded {policySet.Policies.Count} policies ({policyErrors} errors); cluster: {snapshot.Namespaces.Count} namespaces, {snapshot.Pods.Count} pods");
        var evaluator = new PolicyEvaluator(policySet, new EvaluatorOptions { IpBlockMatchesPodIps = ipBlockPods });
        var probes = new FlowProbes(snapshot);
        var decoder = new HubbleJsonDecoder();
        var json = format == "json";
        var rows = new List<string[]>();
        var lineNumber = 0;
        using var reader = new StreamReader(flowsPath, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            DecodedResponse decoded;
            try
            {
                decoded = decoder.Decode(Encoding.UTF8.GetBytes(line));
            }
            catch (HubbleDecodeException ex)
            {
                if (json)
                {
                    await output.WriteLineAsync(EvaluationOutput.JsonError(lineNumber, ex.Message));
                }
                else
                {
                    await error.WriteLineAsync($"{flowsPath}:{lineNumber}: error: {ex.Message}");
                }

                continue;
            }

            if (decoded.Kind != ResponseKind.Flow || decoded.Flow is null)
            {
                // lost-events and node-status records are not connection attempts
                continue;
            }

            var probe = probes.ToProbe(decoded.Flow);
            var result = evaluator.Evaluate(probe);
            if (json)
            {
                await output.WriteLineAsync(EvaluationOutput.Json(lineNumber, probe, result));
            }
            else
            {
                rows.Add(EvaluationOutput.TableRow(lineNumber, probe, result));
            }
        }

        if (!json)
        {
            await WriteTableAsync(output, rows);
        }

        // the good policies were evaluated; a non-zero exit still says some input was rejected
        return policyErrors > 0 ? 1 : 0;
    }

    private static async Task WriteTableAsync(TextWriter output, List<string[]> rows)
    {
        var all = rows.Prepend(EvaluationOutput.TableHeader).ToList();
        var widths = Enumerable.Range(0, EvaluationOutput.TableHeader.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
