using System.Globalization;
using System.Text;
using Inference.Cli.Output;
using Inference.Core.Inference;
using Inference.Core.Review;

namespace Inference.Cli.Export;

/// <summary>
/// The pull-request description (also the commit body): per policy its evidence, connections covered N/N, what
/// enforcing would break, and exposure before vs after. Deterministic: the same data gives the same text.
/// </summary>
internal static class PullRequestText
{
    public const string Title = "Network policies suggested by Inference";

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Summary(int exported, IReadOnlyCollection<string> added, IReadOnlyCollection<string> changed, IReadOnlyCollection<string> removed) =>
        $"inference: {exported} network {(exported == 1 ? "policy" : "policies")} ({added.Count} added, {changed.Count} changed, {removed.Count} removed)";

    public static string Body(Suggestion s, IReadOnlyList<PolicyReview> reviews, IEnumerable<string> gaps)
    {
        var sb = new StringBuilder();
        var v = s.Verification;
        var format = SuggestOptions.FormatName(s.Options.Format);
        sb.Append(CultureInfo.InvariantCulture, $"## {Title}\n\n");
        if (s.WindowStart is { } from)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Observed window: {EdgeJson.Time(from)} .. {EdgeJson.Time(s.WindowEnd!.Value)}; format: {format}.\n\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"- **Connections covered: {N(v.ConnectionsCovered)}/{N(v.ConnectionsObserved)}** ({N(v.EdgesCovered)}/{N(v.EdgesObserved)} edges); every covered connection was replayed through the evaluator ({N(v.ProbesEvaluated)} probes): {(v.Passed ? "all allowed" : $"{v.Failures.Count} DENIED")}.\n");
        sb.Append(CultureInfo.InvariantCulture, $"- **Exposure** (source workload, destination workload, port) allowed: {N(s.Exposure.Before)} before (default allow) -> {N(s.Exposure.After)} after.\n");
        var uncovered = s.Uncovered.Sum(u => u.Edge.Allowed);
        var exported = reviews.Where(r => r.Exported).ToList();
        var withheld = exported.SelectMany(r => r.Withheld).ToList();
        var breaks = new List<string>();
        if (uncovered > 0)
        {
            breaks.Add($"{N(uncovered)} connections on {s.Uncovered.Count} edges the format cannot express (listed below)");
        }

        if (withheld.Count > 0)
        {
            breaks.Add($"the {N(withheld.Sum(w => w.Rule.Evidence.Connections))} connections the {withheld.Count} {(withheld.Count == 1 ? "rule" : "rules")} withheld in review covered (listed below)");
        }

        sb.Append(CultureInfo.InvariantCulture, $"- **What enforcing would break**: of the observed allowed traffic, {(breaks.Count == 0 ? "nothing" : string.Join(" and ", breaks))}; traffic never observed in the window is denied. Deployed policies were not compared here (run `inference diff` against the cluster's policies).\n");
        sb.Append(CultureInfo.InvariantCulture, $"- Policies in this change: {exported.Count} of {reviews.Count} suggested ({reviews.Count(r => r.State == PolicyReviewState.Approved)} approved by a reviewer).\n\n");

        sb.Append("### Policies\n\n| Policy | Review | Rules | Connections | Exposure before -> after |\n|---|---|---|---|---|\n");
        var exposure = s.Exposure.PerPolicy.ToDictionary(p => p.Workload);
        foreach (var r in exported)
        {
            var p = r.Policy;
            var rules = r.Kept.Count();
            var connections = r.Kept.Sum(x => x.Rule.Evidence.Connections);
            var e = p.Workload is { } w && exposure.TryGetValue(w, out var pe) ? $"{N(pe.Before)} -> {N(pe.After)}" : "-";
            sb.Append(CultureInfo.InvariantCulture, $"| `{Cell(p.Namespace)}/{Cell(p.Name)}` | {State(r)} | {rules} | {N(connections)} | {e} |\n");
        }

        sb.Append("\n### Evidence per rule\n\n");
        foreach (var r in exported.Where(r => r.Kept.Any()))
        {
            sb.Append(CultureInfo.InvariantCulture, $"**`{Cell(r.Policy.Namespace)}/{Cell(r.Policy.Name)}`**\n");
            foreach (var rule in r.Kept)
            {
                var ev = rule.Rule.Evidence;
                var seen = ev.FirstSeen is { } f ? $", first {EdgeJson.Time(f)}, last {EdgeJson.Time(ev.LastSeen!.Value)}" : "";
                var verdicts = ev.Verdicts.Count == 0 ? "" : ", " + string.Join(", ", ev.Verdicts.Select(kv => $"{kv.Key} {N(kv.Value)}"));
                sb.Append(CultureInfo.InvariantCulture, $"- {Cell(rule.Text)}: {N(ev.Connections)} connections on {ev.Edges.Count} edges, {N(ev.DistinctSourcePods)} source pods{seen}{verdicts}{(rule.Decision is { } d ? $"; {d.Verdict.ToString().ToLowerInvariant()} by {Cell(d.Actor)}" : "")}\n");
            }

            sb.Append('\n');
        }

        Withheld(sb, exported);
        var left = reviews.Where(r => !r.Exported).ToList();
        if (left.Count > 0)
        {
            sb.Append("### Not in this change\n\n");
            foreach (var r in left)
            {
                sb.Append(CultureInfo.InvariantCulture, $"- `{Cell(r.Policy.Namespace)}/{Cell(r.Policy.Name)}`: {Cell(r.Reason ?? "pending")}\n");
            }

            sb.Append('\n');
        }

        if (s.Uncovered.Count > 0)
        {
            sb.Append("### Observed but not expressible in this format\n\n");
            foreach (var u in s.Uncovered)
            {
                sb.Append(CultureInfo.InvariantCulture, $"- {Cell(u.Edge.Edge.ToString())}: {Cell(u.Reason)} ({N(u.Edge.Allowed)} connections)\n");
            }

            sb.Append('\n');
        }

        var gapList = gaps.ToList();
        sb.Append("### Data gaps in the window\n\n");
        if (gapList.Count == 0)
        {
            sb.Append("None recorded (no lost events, no gaps in what was read).\n");
        }
        else
        {
            foreach (var g in gapList)
            {
                sb.Append("- ").Append(Cell(g)).Append('\n');
            }
        }

        sb.Append("\n_Generated by `inference export`; the files carry a managed-by header and are regenerated on every export._\n");
        return sb.ToString();
    }

    /// <summary>Rules left out of written policies: which, who rejected them and why, and a direction left without rules.</summary>
    private static void Withheld(StringBuilder sb, IEnumerable<PolicyReview> exported)
    {
        var withRejections = exported.Where(r => r.Withheld.Count > 0).ToList();
        if (withRejections.Count == 0)
        {
            return;
        }

        sb.Append("### Rules withheld in review\n\nThese rules were rejected: the policies above are written without them, so once enforced the connections they covered are denied unless another policy allows them (and see any note below).\n\n");
        foreach (var r in withRejections)
        {
            sb.Append(CultureInfo.InvariantCulture, $"**`{Cell(r.Policy.Namespace)}/{Cell(r.Policy.Name)}`**\n");
            foreach (var rule in r.Withheld)
            {
                var d = rule.Decision!;
                var ev = rule.Rule.Evidence;
                sb.Append(CultureInfo.InvariantCulture, $"- {Cell(rule.Text)}: rejected by {Cell(d.Actor)}{(d.Note.Length > 0 ? $": \"{Cell(d.Note)}\"" : " (no note)")}; it covered {N(ev.Connections)} connections on {ev.Edges.Count} edges\n");
            }

            foreach (var effect in r.Effects)
            {
                sb.Append("- **").Append(Cell(effect)).Append("**\n");
            }

            sb.Append('\n');
        }
    }

    private static string State(PolicyReview r) => r.State switch
    {
        PolicyReviewState.Approved => "approved" + (r.Decision is { } d ? $" by {Cell(d.Actor)}" : ""),
        _ => "not reviewed",
    };

    /// <summary>Flow data inside Markdown: no table breaks, no HTML, no mentions or backtick escapes.</summary>
    private static string Cell(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            sb.Append(ch switch
            {
                '|' => "\\|",
                '<' => "&lt;",
                '>' => "&gt;",
                '`' => "'",
                '@' => "@\u200b",
                '\n' or '\r' => " ",
                _ => ch.ToString(),
            });
        }

        return sb.ToString();
    }
}
