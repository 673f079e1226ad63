using System.CommandLine;
using Inference.Cli.Diff;
using Inference.Cli.Policies;
using Inference.Cli.Suggest;
using Inference.Core.Diff;
using Inference.Core.Evaluation;
using Inference.Core.Inference;
using Inference.Core.Policies;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary>
/// <c>inference diff</c>: the deployed policies against the observed window: what enforcing would break, which rules
/// are too open or unused, where the cluster's own verdicts disagree with the files, and how they differ from a suggestion.
/// </summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var deployed = new Option<string[]>("--deployed")
        {
            Description = "Deployed policies: file or directory (YAML/JSON, multi-document, kind: List); repeatable",
            Required = true,
            HelpName = "PATH",
        };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Cluster snapshot: `kubectl get namespaces,pods -A -o yaml` output (default: pods seen in the store; named ports then never match)",
            HelpName = "FILE",
        };
        var since = new Option<string?>("--since") { Description = "Only traffic after this time (duration back like 168h, or RFC 3339)" };
        var until = new Option<string?>("--until") { Description = "Only traffic before this time (duration back, or RFC 3339)" };
        var ipBlockPods = new Option<bool>("--ipblock-matches-pod-ips")
        {
            Description = "Let ipBlock match pod and node addresses (Calico, upstream e2e); default: external addresses only (Cilium)",
        };
        var outFile = new Option<string?>("--out") { Description = "Write the report to FILE instead of stdout", HelpName = "FILE" };
        var output = GlobalOptions.Output("table", "table", "json", "html");
        var command = new Command("diff", "Deployed policies vs observed traffic: what enforcing would break, what is over-broad or unused")
        {
            deployed, cluster, since, until, ipBlockPods, outFile, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = parseResult.InvocationConfiguration;
            var now = DateTimeOffset.UtcNow;
            var filter = new EdgeFilter
            {
                Since = EdgesCommand.TimeOption(parseResult.GetValue(since), "--since", now),
                Until = EdgesCommand.TimeOption(parseResult.GetValue(until), "--until", now),
            };
            return await RunAsync(parseResult, parseResult.GetValue(deployed)!, parseResult.GetValue(cluster), filter, parseResult.GetValue(ipBlockPods),
                parseResult.GetValue(output)!, parseResult.GetValue(outFile), config.Output, config.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, string[] deployedPaths, string? clusterPath, EdgeFilter filter, bool ipBlockPods,
        string format, string? outFile, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        foreach (var path in deployedPaths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new CliException($"--deployed {path}: no such file or directory");
            }
        }

        var (policies, diagnostics) = await PolicyFiles.LoadAsync(deployedPaths, cancellationToken);
        var policyErrors = 0;
        foreach (var d in diagnostics)
        {
            policyErrors += d.Severity == DiagnosticSeverity.Error ? 1 : 0;
            await error.WriteLineAsync(d.ToString());
        }

        if (policies.Policies.Count == 0)
        {
            throw new CliException($"no policies loaded from {string.Join(", ", deployedPaths)}" + (policyErrors > 0 ? " (see the errors above)" : ""));
        }

        ClusterSnapshot? snapshot = null;
        if (clusterPath is not null)
        {
            var (fromFile, snapshotDiagnostics) = await ClusterSnapshots.FromFileAsync(clusterPath, cancellationToken);
            foreach (var d in snapshotDiagnostics)
            {
                await error.WriteLineAsync(d.ToString());
            }

            snapshot = fromFile;
        }

        Observations observed;
        IReadOnlyList<ClusterPolicyVerdict> verdicts;
        WindowGaps gaps;
        Inference.Core.Coverage.CoverageReport coverage;
        using (var store = StoreAccess.Open(parseResult, readOnly: true))
        {
            observed = ObservationLoader.Load(store, filter, cancellationToken);
            verdicts = ClusterVerdictReader.Calico(store, filter);
            gaps = ClusterVerdictReader.Gaps(store, filter.Since, filter.Until);
            var window = SuggestionReview.Window(store, filter.Namespaces, filter.Since, filter.Until, cancellationToken);
            coverage = Inference.Core.Coverage.CoverageAnalyzer.Analyze(window, new Inference.Core.Coverage.CoverageOptions(), cancellationToken);
        }

        if (observed.Edges.Count == 0)
        {
            throw new CliException("no observed connections in the store for this window: ingest flows first (inference ingest ...)");
        }

        var options = new EvaluatorOptions { IpBlockMatchesPodIps = ipBlockPods };
        // nobody should trust `unused` or `wouldBreak` over a window that missed traffic: say the coverage first
        var notes = new List<string> { SuggestionReview.CoverageLine(coverage, "traffic the window missed is not in this diff; observe longer before enforcing") };
        var suggestion = Suggest(observed, policies, notes, cancellationToken);
        var input = new DiffInput
        {
            Deployed = policies,
            Observed = observed,
            Cluster = snapshot,
            ClusterVerdicts = verdicts,
            Gaps = gaps,
            Since = filter.Since,
            Until = filter.Until,
            Options = options,
            Suggested = suggestion,
            PolicyTexts = await PolicyTextsAsync(policies, cancellationToken),
            Notes = notes,
        };
        var report = DiffEngine.Run(input, cancellationToken);

        var text = format switch
        {
            "json" => DiffJson.Write(report) + "\n",
            "html" => DiffHtml.Write(report),
            _ => Table(report),
        };
        if (outFile is not null)
        {
            await WriteFileAsync(outFile, text, cancellationToken);
            await error.WriteLineAsync($"wrote {outFile}: {report.Summary.Counts.WouldBreak} would break, {report.Summary.Counts.OverBroad} over-broad, " +
                $"{report.Summary.Counts.UnusedRules} unused rules, {report.Summary.Counts.ClusterDisagrees} cluster disagreements");
        }
        else
        {
            await output.WriteAsync(text);
        }

        // the good files were diffed; a non-zero exit still says some input was rejected
        return policyErrors > 0 ? 1 : 0;
    }

    /// <summary>The suggestion the deployed set is compared with, in the deployed set's own format; none (with a note) if it cannot be verified.</summary>
    private static Suggestion? Suggest(Observations observed, PolicySet deployed, List<string> notes, CancellationToken cancellationToken)
    {
        var cilium = deployed.Policies.Count > 0 && deployed.Policies.All(p => p is CiliumNetworkPolicy);
        var suggestion = Suggester.Suggest(observed, new SuggestOptions { Format = cilium ? SuggestFormat.Cilium : SuggestFormat.Kubernetes }, cancellationToken);
        if (!suggestion.Verification.Passed)
        {
            notes.Add($"the suggestion failed its own verification ({suggestion.Verification.Failures.Count} denied observed edges): `suggested` is left out; please report it");
            return null;
        }

        return suggestion;
    }

    private static async Task<IReadOnlyDictionary<string, string>> PolicyTextsAsync(PolicySet policies, CancellationToken cancellationToken)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in policies.Policies.Select(p => p.Location.File).Distinct(StringComparer.Ordinal))
        {
            try
            {
                texts[file] = await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the YAML diff then says the source is not available; the rest of the diff does not need it
            }
        }

        return texts;
    }

    private static string Table(DiffReport report)
    {
        using var writer = new StringWriter();
        DiffTables.Write(writer, report);
        return writer.ToString();
    }

    private static async Task WriteFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { } dir)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(full, text, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--out {path}: {ex.Message}", inner: ex);
        }
    }
}
