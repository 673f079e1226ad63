using System.Text.Json;
using Inference.Cli.Diff;
using Inference.Cli.Policies;
using Inference.Core.Diff;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Policies;

namespace Inference.Cli.Serve;

/// <summary>
/// What the deployed policies (serve's <c>deployed:</c> files or directories) would break: the diff core run over the
/// observed window, each denied connection filed under the workload whose end denies it (egress: the source,
/// ingress: the destination), so the page shows it next to that workload's suggestion.
/// </summary>
internal sealed class DeployedBreaks
{
    private readonly Dictionary<Peer, List<BreakItem>> _byWorkload;

    private DeployedBreaks(IReadOnlyList<string> paths, PolicySet policies, IReadOnlyList<string> errors, DiffReport? report)
    {
        Paths = paths;
        Policies = policies.Policies.Count;
        Errors = errors;
        Report = report;
        _byWorkload = [];
        foreach (var item in report?.WouldBreak ?? [])
        {
            var edge = item.Connection.Edge;
            foreach (var end in item.Denials.Select(d => d.Direction == PolicyDirection.Egress ? edge.Source : edge.Destination).Distinct())
            {
                if (!_byWorkload.TryGetValue(end, out var list))
                {
                    _byWorkload[end] = list = [];
                }

                list.Add(item);
            }
        }
    }

    public IReadOnlyList<string> Paths { get; }
    public int Policies { get; }
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Null when there were no observed connections to diff.</summary>
    public DiffReport? Report { get; }

    /// <summary>Fails at start, not on the first page load, when a configured path does not exist.</summary>
    public static void Check(IEnumerable<string> paths)
    {
        foreach (var path in paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
        {
            throw new CliException($"deployed: {path}: no such file or directory", 2);
        }
    }

    /// <summary>Reads the files again on every call, so a pull of the GitOps repository shows without a restart.</summary>
    public static async Task<DeployedBreaks> ComputeAsync(IReadOnlyList<string> paths, Observations observed, CancellationToken cancellationToken)
    {
        var (policies, diagnostics) = await PolicyFiles.LoadAsync(paths, cancellationToken);
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        var report = observed.Edges.Count == 0 ? null : await Task.Run(() => DiffEngine.Run(new DiffInput { Deployed = policies, Observed = observed }, cancellationToken), cancellationToken);
        return new DeployedBreaks(paths, policies, errors, report);
    }

    public string Summary()
    {
        var from = string.Join(", ", Paths);
        if (Policies == 0)
        {
            return $"No deployed policy loaded from {from}{(Errors.Count > 0 ? " (see the errors)" : "")}: nothing is isolated, so enforcing nothing breaks nothing.";
        }

        var c = Report?.Summary.Counts;
        return c is null || c.WouldBreak == 0
            ? $"The {Policies} deployed policies in {from} allow every observed connection."
            : $"The {Policies} deployed policies in {from} would deny {c.WouldBreakConnections} observed connections on {c.WouldBreak} edges (listed under each workload).";
    }

    /// <summary>The top-level <c>deployed</c> object: sources, counts, parse errors and the diff's notes.</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("deployed");
        ReviewJson.Strings(json, "paths", Paths);
        json.WriteNumber("policies", Policies);
        json.WriteNumber("wouldBreakEdges", Report?.WouldBreak.Count ?? 0);
        json.WriteNumber("wouldBreakConnections", Report?.Summary.Counts.WouldBreakConnections ?? 0);
        json.WriteString("summary", Summary());
        ReviewJson.Strings(json, "errors", Errors);
        ReviewJson.Strings(json, "notes", Report?.Summary.Notes ?? []);
        json.WriteEndObject();
    }

    /// <summary>A workload policy's <c>deployedWouldBreak</c>: the observed connections the deployed set denies at this workload.</summary>
    public void WriteFor(Utf8JsonWriter json, Peer? workload)
    {
        json.WriteStartArray("deployedWouldBreak");
        foreach (var item in workload is not null && _byWorkload.TryGetValue(workload, out var list) ? list : [])
        {
            json.WriteStartObject();
            json.WriteString("edge", item.Connection.Edge.ToString());
            DiffJson.Connection(json, item.Connection);
            json.WriteString("deniedBy", DiffText.Denials(item.Denials));
            DiffJson.Denials(json, "denials", item.Denials);
            ReviewJson.Strings(json, "notes", item.Notes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
