using System.Globalization;
using Inference.Cli.Output;
using Inference.Core.Diff;

namespace Inference.Cli.Diff;

/// <summary>The diff for a terminal: would-break first, then over-broad, unused, disagreements, suggested, summary.</summary>
internal static class DiffTables
{
    public static void Write(TextWriter output, DiffReport report)
    {
        static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        var c = report.Summary.Counts;
        output.WriteLine($"WOULD BREAK: {c.WouldBreak} observed edges ({c.WouldBreakConnections} connections) the deployed policies deny");
        if (report.WouldBreak.Count > 0)
        {
            var t = Tables.New("SOURCE", "DESTINATION", "PORT", "CONNECTIONS", "LAST SEEN", "WHY");
            foreach (var b in report.WouldBreak)
            {
                Tables.AddRow(t, b.Connection.Edge.Source.ToString(), b.Connection.Edge.Destination.ToString(), DiffText.Port(b.Connection.Edge),
                    N(b.Connection.Connections), DiffText.Time(b.Connection.LastSeen), DiffText.Denials(b.Denials));
            }

            Tables.Write(output, t);
        }

        output.WriteLine();
        output.WriteLine($"OVER-BROAD: {c.OverBroad} rules admit combinations of observed workloads and ports nothing used");
        if (report.OverBroad.Count > 0)
        {
            var t = Tables.New("RULE", "ALLOWS", "ADMITTED", "USED", "NARROW");
            foreach (var o in report.OverBroad)
            {
                Tables.AddRow(t, $"{o.Rule}\n{o.Text}", o.Allows.Count == 0 ? "-" : string.Join("\n", o.Allows),
                    N(o.AdmittedCombinations), N(o.UsedCombinations), o.Suggestion);
            }

            Tables.Write(output, t);
        }

        output.WriteLine();
        output.WriteLine($"UNUSED: {c.UnusedRules} rules and {c.UnusedPolicies} policies no observed connection used");
        if (report.Unused.Rules.Count > 0)
        {
            var t = Tables.New("RULE", "WHERE", "WHY");
            foreach (var r in report.Unused.Rules)
            {
                Tables.AddRow(t, $"{r.Rule}\n{r.Text}", r.Location.ToString(), r.Detail);
            }

            Tables.Write(output, t);
        }

        if (report.Unused.Policies.Count > 0)
        {
            var t = Tables.New("POLICY", "WHERE", "WHY");
            foreach (var p in report.Unused.Policies)
            {
                Tables.AddRow(t, p.Policy.ToString(), p.Location.ToString(), p.Detail);
            }

            Tables.Write(output, t);
        }

        output.WriteLine();
        output.WriteLine($"CLUSTER DISAGREES: {c.ClusterDisagrees} edges where the cluster's own verdict differs from the files");
        if (report.ClusterDisagrees.Count > 0)
        {
            var t = Tables.New("SOURCE", "DESTINATION", "PORT", "CONNECTIONS", "CLUSTER SAYS", "FILES SAY");
            foreach (var d in report.ClusterDisagrees)
            {
                Tables.AddRow(t, d.Connection.Edge.Source.ToString(), d.Connection.Edge.Destination.ToString(), DiffText.Port(d.Connection.Edge),
                    N(d.Connection.Connections), d.ClusterSays, d.FileDenials.Count > 0 ? $"{d.FilesSay}: {DiffText.Denials(d.FileDenials)}" : d.FilesSay);
            }

            Tables.Write(output, t);
        }

        output.WriteLine();
        if (report.Suggested is { } s)
        {
            output.WriteLine($"SUGGESTED: {s.ObservedEdges.Count} observed edges decided differently; workload pairs: {s.WorkloadPairsChecked} checked, " +
                $"{s.DeployedOnlyPairs} only the deployed set allows, {s.SuggestedOnlyPairs} only the suggestion allows");
            if (s.ObservedEdges.Count > 0)
            {
                var t = Tables.New("SOURCE", "DESTINATION", "PORT", "DEPLOYED", "SUGGESTED", "WHY");
                foreach (var d in s.ObservedEdges)
                {
                    Tables.AddRow(t, d.Edge.Source.ToString(), d.Edge.Destination.ToString(), DiffText.Port(d.Edge),
                        d.DeployedAllows ? "allow" : "deny", d.SuggestedAllows ? "allow" : "deny", d.Detail);
                }

                Tables.Write(output, t);
            }

            foreach (var y in s.YamlDiffs.Where(y => y.Lines.Any(l => l[0] != ' ')))
            {
                output.WriteLine($"--- deployed: {(y.Deployed.Count == 0 ? "(no policy selects it)" : string.Join(", ", y.Deployed.Select(p => p.DisplayName)))}");
                output.WriteLine($"+++ suggested: {y.SuggestedPolicy} ({y.Workload})");
                foreach (var line in y.Lines)
                {
                    output.WriteLine(line);
                }
            }

            foreach (var note in s.Notes)
            {
                output.WriteLine($"note: {note}");
            }
        }
        else
        {
            output.WriteLine("SUGGESTED: not computed (see notes)");
        }

        output.WriteLine();
        output.WriteLine("SUMMARY");
        output.WriteLine($"  deployed: {c.DeployedPolicies} policies, {c.DeployedRules} rules");
        output.WriteLine($"  observed: {c.EdgesObserved} edges, {c.LegitimateEdges} legitimate ({c.LegitimateConnections} connections)");
        output.WriteLine($"  window:   {DiffText.Window(report.Summary)}");
        output.WriteLine($"  gaps:     {DiffText.Gaps(report.Summary.Gaps)}");
        foreach (var note in report.Summary.Notes)
        {
            output.WriteLine($"  note: {note}");
        }
    }

}
