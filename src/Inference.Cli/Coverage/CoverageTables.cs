using System.Globalization;
using Inference.Cli.Output;
using Inference.Core.Coverage;

namespace Inference.Cli.Coverage;

/// <summary>The table form of a coverage report: window and status, per-namespace curve, rhythms, blind spots, notes.</summary>
internal static class CoverageTables
{
    public static async Task WriteAsync(TextWriter writer, CoverageReport report, bool workloads, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync($"Window: {EdgeJson.Time(report.WindowStart)} .. {EdgeJson.Time(report.WindowEnd)} ({Inference.Core.Time.GoDuration.Format(report.Window)})".AsMemory(), cancellationToken);
        await writer.WriteLineAsync($"Cluster: {report.Headline}".AsMemory(), cancellationToken);
        var days = report.Cluster.Discovery.Select(d => d.Day.ToString("MM-dd", CultureInfo.InvariantCulture)).ToList();
        var scopes = new List<ScopeCoverage> { report.Cluster };
        scopes.AddRange(report.Namespaces);
        if (workloads)
        {
            scopes.AddRange(report.Workloads);
        }

        var table = Tables.New("SCOPE", "STATUS", "EDGES", days.Count <= 14 ? $"NEW PER DAY ({string.Join(" ", days)})" : "NEW EDGES ON (MM-DD:N)",
            "SEEN ONCE", "ONE DAY", "P(NEW EDGE)", "LAST NEW EDGE");
        foreach (var s in scopes)
        {
            Tables.AddRow(table, s.Scope == "cluster" ? "cluster" : $"{s.Scope} {s.Name}", s.Status.ToString(), N(s.Edges),
                Curve(s.Discovery), Percent(s.SeenOnceShare), Percent(s.SeenOneDayShare),
                s.NewEdgeChance.ToString("0.0000", CultureInfo.InvariantCulture), s.LastNewEdge is { } t ? EdgeJson.Time(t) : "");
        }

        Tables.Write(writer, table);

        // covered rhythms are good news and can be thousands: counted here, listed in -o json; the uncovered ones are listed
        var covered = report.Cluster.Periodic.Count(p => p.Covered);
        var uncovered = report.Cluster.Periodic.Where(p => !p.Covered).ToList();
        await writer.WriteLineAsync($"Periodic edges: {N(report.Cluster.Periodic.Count)} found, {N(covered)} covered by at least two periods, {N(uncovered.Count)} not".AsMemory(), cancellationToken);
        if (uncovered.Count > 0)
        {
            var periodic = Tables.New("UNDER-COVERED PERIODIC EDGE", "PERIOD", "RUNS", "NOTE");
            foreach (var p in uncovered)
            {
                Tables.AddRow(periodic, p.Edge.ToString(), p.Period, N(p.Runs), p.Note);
            }

            Tables.Write(writer, periodic);
        }

        var under = report.Workloads.Where(w => w.IsUnderCovered).ToList();
        if (under.Count > 0)
        {
            await writer.WriteLineAsync("Under-covered workloads (the window holds fewer than two of a periodic edge's periods):".AsMemory(), cancellationToken);
            foreach (var w in under)
            {
                await writer.WriteLineAsync($"  {w.Name}: {w.Status}; {string.Join("; ", w.UnderCovered)}".AsMemory(), cancellationToken);
            }
        }

        if (report.BlindSpots.Count == 0)
        {
            await writer.WriteLineAsync("Blind spots: none found.".AsMemory(), cancellationToken);
        }
        else
        {
            var spots = Tables.New("BLIND SPOT", "SUBJECT", "FROM", "TO", "DETAIL");
            foreach (var b in report.BlindSpots)
            {
                Tables.AddRow(spots, b.Kind, b.Subject, b.From is { } f ? EdgeJson.Time(f) : "", b.To is { } t ? EdgeJson.Time(t) : "", b.Detail);
            }

            await writer.WriteLineAsync("Blind spots:".AsMemory(), cancellationToken);
            Tables.Write(writer, spots);
        }

        foreach (var note in report.Notes)
        {
            await writer.WriteLineAsync($"Note: {note}".AsMemory(), cancellationToken);
        }
    }

    /// <summary>A short window: every day's count. A long one: only the days that brought new edges (the first 8, then the last).</summary>
    private static string Curve(IReadOnlyList<DiscoveryPoint> discovery)
    {
        if (discovery.Count <= 14)
        {
            return string.Join(" ", discovery.Select(d => N(d.NewEdges)));
        }

        var active = discovery.Where(d => d.NewEdges > 0).Select(d => $"{d.Day.ToString("MM-dd", CultureInfo.InvariantCulture)}:{N(d.NewEdges)}").ToList();
        return active.Count <= 9 ? string.Join(" ", active) : string.Join(" ", active.Take(8)) + $" .. {active[^1]} ({active.Count} days)";
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
}
