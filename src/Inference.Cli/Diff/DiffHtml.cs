using System.Globalization;
using System.Net;
using System.Text;
using Inference.Core.Diff;
using Inference.Core.Flows;

namespace Inference.Cli.Diff;

/// <summary>
/// The diff as one self-contained HTML file: inline style, no scripts or external assets, every value from flows or
/// policy files HTML-escaped. Would-break first, one table per namespace.
/// </summary>
internal static class DiffHtml
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;max-width:1400px}
        h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:2px solid #d8dce6;padding-bottom:.3rem}h3{margin:1.2rem 0 .4rem;color:#44506a}
        table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #d8dce6;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f2f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}code,pre{font:12px/1.4 ui-monospace,Consolas,monospace}
        .cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #d8dce6;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
        .card b{display:block;font-size:1.5rem}.bad b{color:#b3261e}.warn b{color:#a15c00}.ok b{color:#1e7b34}
        .note{color:#5b6475}pre{background:#f7f8fb;border:1px solid #d8dce6;padding:.6rem;overflow-x:auto}
        .add{background:#e6f6ea;display:block}.del{background:#fbe9e8;display:block}
        """;

    public static string Write(DiffReport report)
    {
        var c = report.Summary.Counts;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>inference diff</title><style>").Append(Style).Append("</style></head><body>\n");
        h.Append("<h1>If we enforce now: what breaks, what is too open</h1>\n");
        h.Append("<p>Window ").Append(E(DiffText.Window(report.Summary))).Append(". Data gaps: ").Append(E(DiffText.Gaps(report.Summary.Gaps))).Append(".</p>\n");
        h.Append("<div class=\"cards\">");
        Card(h, c.WouldBreak == 0 ? "ok" : "bad", c.WouldBreak, $"would break ({c.WouldBreakConnections} connections)");
        Card(h, c.OverBroad == 0 ? "ok" : "warn", c.OverBroad, "over-broad rules");
        Card(h, c.UnusedRules == 0 ? "ok" : "warn", c.UnusedRules, "unused rules");
        Card(h, c.UnusedPolicies == 0 ? "ok" : "warn", c.UnusedPolicies, "unused policies");
        Card(h, c.ClusterDisagrees == 0 ? "ok" : "bad", c.ClusterDisagrees, "cluster disagrees");
        Card(h, "ok", c.LegitimateEdges, $"legitimate edges ({c.LegitimateConnections} connections)");
        h.Append("</div>\n");

        h.Append("<h2>Would break</h2>\n");
        if (report.WouldBreak.Count == 0)
        {
            h.Append("<p>No observed legitimate connection is denied by the deployed policies.</p>\n");
        }

        foreach (var group in report.WouldBreak.GroupBy(b => DiffText.Namespace(b.Connection.Edge)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            h.Append("<h3>").Append(E(group.Key)).Append("</h3>\n");
            Table(h, ["Source", "Destination", "Port", "Connections", "Last seen", "Why"], group.Select(b => new[]
            {
                E(b.Connection.Edge.Source.ToString()), E(b.Connection.Edge.Destination.ToString()), E(DiffText.Port(b.Connection.Edge)),
                Num(b.Connection.Connections), E(DiffText.Time(b.Connection.LastSeen)),
                E(DiffText.Denials(b.Denials)) + string.Concat(b.Notes.Select(n => "<br><span class=\"note\">" + E(n) + "</span>")),
            }));
        }

        h.Append("<h2>Over-broad rules</h2>\n");
        foreach (var group in report.OverBroad.GroupBy(o => o.Rule.Policy.Namespace ?? "(cluster-wide)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            h.Append("<h3>").Append(E(group.Key)).Append("</h3>\n");
            Table(h, ["Rule", "Allows", "Admitted", "Used", "Used through it", "Narrow"], group.Select(o => new[]
            {
                $"<code>{E(o.Rule.ToString())}</code><br>{E(o.Text)}<br><span class=\"note\">{E(o.Location.ToString())}</span>",
                o.Allows.Count == 0 ? "-" : string.Join("<br>", o.Allows.Select(E)),
                Num(o.AdmittedCombinations), Num(o.UsedCombinations),
                o.Used.Count == 0 ? "nothing" : string.Join("<br>", o.Used.Select(u =>
                {
                    var e = u.Edge(o.Rule.Direction);
                    return E($"{e.Source} -> {e.Destination} {DiffText.Port(e)} ({u.Connections})");
                })),
                E(o.Suggestion),
            }));
        }

        h.Append("<h2>Unused rules and policies</h2>\n");
        foreach (var group in report.Unused.Rules.GroupBy(r => r.Rule.Policy.Namespace ?? "(cluster-wide)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            h.Append("<h3>").Append(E(group.Key)).Append("</h3>\n");
            Table(h, ["Rule", "Where", "Why"], group.Select(r => new[] { $"<code>{E(r.Rule.ToString())}</code><br>{E(r.Text)}", E(r.Location.ToString()), E(r.Detail) }));
        }

        if (report.Unused.Policies.Count > 0)
        {
            h.Append("<h3>Policies</h3>\n");
            Table(h, ["Policy", "Where", "Why"], report.Unused.Policies.Select(p => new[] { E(p.Policy.ToString()), E(p.Location.ToString()), E(p.Detail) }));
        }

        h.Append("<h2>Cluster disagrees with the files</h2>\n");
        foreach (var group in report.ClusterDisagrees.GroupBy(d => DiffText.Namespace(d.Connection.Edge)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            h.Append("<h3>").Append(E(group.Key)).Append("</h3>\n");
            Table(h, ["Source", "Destination", "Port", "Connections", "Cluster says", "Files say"], group.Select(d => new[]
            {
                E(d.Connection.Edge.Source.ToString()), E(d.Connection.Edge.Destination.ToString()), E(DiffText.Port(d.Connection.Edge)),
                Num(d.Connection.Connections), E(d.ClusterSays), E(d.FilesSay) + (d.FileDenials.Count > 0 ? "<br>" + E(DiffText.Denials(d.FileDenials)) : ""),
            }));
        }

        h.Append("<h2>Deployed vs suggested</h2>\n");
        if (report.Suggested is { } s)
        {
            h.Append("<p>").Append(Num(s.WorkloadPairsChecked)).Append(" workload pairs checked: ").Append(Num(s.DeployedOnlyPairs))
                .Append(" allowed only by the deployed set, ").Append(Num(s.SuggestedOnlyPairs)).Append(" only by the suggestion.</p>\n");
            Table(h, ["Source", "Destination", "Port", "Deployed", "Suggested", "Why"], s.ObservedEdges.Concat(s.PairSamples).Select(d => new[]
            {
                E(d.Edge.Source.ToString()), E(d.Edge.Destination.ToString()), E(DiffText.Port(d.Edge)),
                d.DeployedAllows ? "allow" : "deny", d.SuggestedAllows ? "allow" : "deny", E(d.Detail),
            }));
            foreach (var y in s.YamlDiffs.Where(y => y.Lines.Any(l => l[0] != ' ')))
            {
                h.Append("<h3>").Append(E(y.Workload.ToString())).Append("</h3>\n<pre>");
                foreach (var line in y.Lines)
                {
                    var cls = line[0] switch { '+' => "add", '-' => "del", _ => null };
                    h.Append(cls is null ? E(line) + "\n" : $"<span class=\"{cls}\">{E(line)}</span>");
                }

                h.Append("</pre>\n");
            }

            foreach (var note in s.Notes)
            {
                h.Append("<p class=\"note\">").Append(E(note)).Append("</p>\n");
            }
        }
        else
        {
            h.Append("<p>Not computed (see the notes).</p>\n");
        }

        h.Append("<h2>Notes</h2>\n<ul>");
        foreach (var note in report.Summary.Notes)
        {
            h.Append("<li>").Append(E(note)).Append("</li>");
        }

        h.Append("</ul>\n</body></html>\n");
        return h.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Num(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static void Card(StringBuilder h, string cls, long n, string label) =>
        h.Append("<div class=\"card ").Append(cls).Append("\"><b>").Append(Num(n)).Append("</b>").Append(E(label)).Append("</div>");

    /// <summary>Cells are already HTML (escaped by the caller).</summary>
    private static void Table(StringBuilder h, string[] headers, IEnumerable<string[]> rows)
    {
        h.Append("<table><thead><tr>");
        foreach (var header in headers)
        {
            h.Append("<th>").Append(E(header)).Append("</th>");
        }

        h.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            h.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
            {
                h.Append(headers[i] is "Connections" or "Admitted" or "Used" ? "<td class=\"n\">" : "<td>").Append(row[i]).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</tbody></table>\n");
    }
}
