using Inference.Core.Coverage;

namespace Inference.Cli.Coverage;

/// <summary>The discovery curve as a PNG: edges known by the end of each day, one line per namespace and one for the cluster.</summary>
internal static class DiscoveryPlot
{
    public static void Save(CoverageReport report, string path, int width = 1000, int height = 600)
    {
        var plot = new ScottPlot.Plot();
        Add(plot, report.Cluster, "cluster", 3);
        foreach (var ns in report.Namespaces)
        {
            Add(plot, ns, ns.Name, 1.5f);
        }

        plot.Title($"Discovery curve - {report.Cluster.Status} ({report.WindowStart.UtcDateTime:yyyy-MM-dd} .. {report.WindowEnd.UtcDateTime:yyyy-MM-dd})");
        plot.XLabel("day of the window (UTC)");
        plot.YLabel("edges known");
        plot.Axes.DateTimeTicksBottom();
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, width, height);
    }

    private static void Add(ScottPlot.Plot plot, ScopeCoverage scope, string label, float width)
    {
        if (scope.Discovery.Count == 0)
        {
            return;
        }

        // each point sits at the end of its day: what was known by then
        var xs = scope.Discovery.Select(d => d.Day.ToDateTime(TimeOnly.MinValue).AddDays(1).ToOADate()).ToArray();
        var ys = scope.Discovery.Select(d => (double)d.TotalEdges).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.LineWidth = width;
        line.MarkerSize = xs.Length > 60 ? 0 : 5;
    }
}
