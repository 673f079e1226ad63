using System.CommandLine;
using Inference.Cli.Suggest;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary>
/// <c>inference suggest</c>: minimal allow policies from the observed window, verified by replaying every observed
/// connection through the evaluator before anything is printed or written.
/// </summary>
internal static class SuggestCommand
{
    /// <summary>Exit code when the verification finds a denied observed connection: a bug in the suggester.</summary>
    public const int VerificationFailedExitCode = 70;

    public static Command Create()
    {
        var format = new Option<string>("--format")
        {
            Description = "Policy format: kubernetes|cilium|calico-staged",
            DefaultValueFactory = _ => "kubernetes",
            HelpName = "FORMAT",
        };
        format.AcceptOnlyFromAmong("kubernetes", "cilium", "calico-staged");
        var outDir = new Option<string?>("--out") { Description = "Write DIR/<namespace>/<workload>.yaml, _default-deny.yaml and _dns.yaml, and print the summary", HelpName = "DIR" };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Only write policies for this namespace (repeatable)" };
        var since = new Option<string?>("--since") { Description = "Only traffic after this time (duration back like 168h, or RFC 3339)" };
        var until = new Option<string?>("--until") { Description = "Only traffic before this time (duration back, or RFC 3339)" };
        var l7 = new Option<bool>("--l7") { Description = "HTTP method + path rules where HTTP records exist (Cilium format)" };
        var portRanges = new Option<bool>("--port-ranges") { Description = "Merge consecutive observed ports into endPort ranges" };
        var output = GlobalOptions.Output("yaml", "yaml", "json", "summary");
        output.Description = "Output: yaml (default without --out), summary (default with --out), json (report with per-rule evidence)";
        var command = new Command("suggest", "Suggest minimal allow policies from observed connections, verified before they are written")
        {
            format, outDir, namespaces, since, until, l7, portRanges, output,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = parseResult.InvocationConfiguration;
            var options = new SuggestOptions
            {
                Format = parseResult.GetValue(format) switch { "cilium" => SuggestFormat.Cilium, "calico-staged" => SuggestFormat.CalicoStaged, _ => SuggestFormat.Kubernetes },
                L7 = parseResult.GetValue(l7),
                PortRanges = parseResult.GetValue(portRanges),
                Namespaces = parseResult.GetValue(namespaces) ?? [],
            };
            if (options.L7 && options.Format != SuggestFormat.Cilium)
            {
                throw new CliException("--l7 needs --format cilium: a Kubernetes NetworkPolicy has no L7 rules", 2);
            }

            var now = DateTimeOffset.UtcNow;
            var filter = new EdgeFilter
            {
                Namespaces = options.Namespaces,
                Since = EdgesCommand.TimeOption(parseResult.GetValue(since), "--since", now),
                Until = EdgesCommand.TimeOption(parseResult.GetValue(until), "--until", now),
            };
            var dir = parseResult.GetValue(outDir);
            var explicitOutput = parseResult.GetResult(output) is { Implicit: false };
            var mode = explicitOutput ? parseResult.GetValue(output)! : dir is null ? "yaml" : "summary";
            return await RunAsync(parseResult, options, filter, dir, mode, config.Output, config.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult, SuggestOptions options, EdgeFilter filter, string? dir, string mode,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        Observations observations;
        SuggestionReview review;
        using (var store = StoreAccess.Open(parseResult, readOnly: true))
        {
            observations = ObservationLoader.Load(store, filter, cancellationToken);
            // the same window scored and measured, so rules resting only on anomalous edges are marked for review
            review = SuggestionReview.Load(store, filter.Namespaces, filter.Since, filter.Until, cancellationToken);
        }

        if (observations.Edges.Count == 0)
        {
            throw new CliException("no observed connections in the store for this window and namespaces: ingest flows first (inference ingest ...)");
        }

        var suggestion = Suggester.Suggest(observations, options, cancellationToken);
        if (!suggestion.Verification.Passed)
        {
            // never a warning: a suggestion that blocks an observed connection would cause an outage
            foreach (var f in suggestion.Verification.Failures)
            {
                await error.WriteLineAsync($"denied: {f.Edge} ({f.SourcePod} -> {f.DestinationPod}): {f.Detail}");
            }

            throw new CliException($"bug: the suggestion denies {suggestion.Verification.EdgesChecked - suggestion.Verification.EdgesCovered} observed edges it was built from; nothing was written. Please report it with the lines above.", VerificationFailedExitCode);
        }

        IReadOnlyList<string>? written = null;
        if (dir is not null)
        {
            written = SuggestionFiles.Write(dir, suggestion, cancellationToken);
        }

        switch (mode)
        {
            case "json":
                await output.WriteLineAsync(SuggestionReport.Json(suggestion, written, review));
                break;
            case "summary":
                await output.WriteAsync(SuggestionReport.Summary(suggestion, written, dir, review));
                break;
            default:
                await output.WriteAsync(PolicyYaml.RenderAll(suggestion.Policies, options.Format));
                // the summary goes to stderr so stdout stays valid YAML for kubectl apply -f -
                await error.WriteAsync(SuggestionReport.Summary(suggestion, written, dir, review));
                break;
        }

        return 0;
    }
}
