using System.Globalization;
using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Coverage;

/// <summary>Builds the coverage report of a window: per scope discovery curve, once-seen shares, Good-Turing, rhythms, status.</summary>
public static class CoverageAnalyzer
{
    public static CoverageReport Analyze(WindowActivity window, CoverageOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CoverageOptions();
        var notes = new List<string>();
        var edges = window.Edges;
        var days = edges.Count == 0 ? [] : DaysOf(window);
        var activeDays = edges.Select(e => e.Hours.Select(h => DateOnly.FromDateTime(h.Hour.UtcDateTime)).Distinct().Count()).ToArray();
        var periodic = new Dictionary<EdgeKey, PeriodicEdge>();
        for (var i = 0; i < edges.Count; i++)
        {
            if ((i & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (PeriodDetector.Detect(edges[i], window.Length, options) is { } p)
            {
                periodic[edges[i].Edge] = p;
            }
        }

        ScopeCoverage Build(string scope, string name, Peer? workload, IReadOnlyList<int> members) =>
            Scope(scope, name, workload, members, window, days, activeDays, periodic, options);

        var all = Enumerable.Range(0, edges.Count).ToList();
        var byNamespace = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        var byWorkload = new SortedDictionary<Peer, List<int>>();
        for (var i = 0; i < edges.Count; i++)
        {
            // a workload's scope is what it sends and receives; a namespace's is every edge with an end in it
            var ends = new[] { edges[i].Edge.Source, edges[i].Edge.Destination }.Where(p => p.IsWorkload).ToList();
            foreach (var peer in ends.Distinct())
            {
                Add(byWorkload, peer, i);
            }

            foreach (var ns in ends.Select(p => p.Namespace!).Distinct(StringComparer.Ordinal))
            {
                Add(byNamespace, ns, i);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var cluster = Build("cluster", "cluster", null, all);
        var namespaces = byNamespace.Select(n => Build("namespace", n.Key, null, n.Value)).ToList();
        var workloads = byWorkload.Select(w => Build("workload", $"{w.Key.Namespace}/{w.Key.Workload}", w.Key, w.Value)).ToList();
        if (edges.Count == 0)
        {
            notes.Add("no edges in the window: ingest flows first");
        }

        var blindSpots = BlindSpotFinder.Find(window, notes);
        return new CoverageReport(window.Start, window.End, cluster, namespaces, workloads, blindSpots, notes);
    }

    private static void Add<TKey>(SortedDictionary<TKey, List<int>> map, TKey key, int edge) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(edge);
    }

    private static List<DateOnly> DaysOf(WindowActivity window)
    {
        var result = new List<DateOnly>();
        for (var d = DateOnly.FromDateTime(window.Start.UtcDateTime); d <= DateOnly.FromDateTime(window.End.UtcDateTime); d = d.AddDays(1))
        {
            result.Add(d);
        }

        return result;
    }

    private static ScopeCoverage Scope(string scope, string name, Peer? workload, IReadOnlyList<int> members, WindowActivity window,
        IReadOnlyList<DateOnly> days, int[] activeDays, Dictionary<EdgeKey, PeriodicEdge> periodic, CoverageOptions options)
    {
        var edges = members.Select(i => window.Edges[i]).ToList();
        var newPerDay = edges.GroupBy(e => DateOnly.FromDateTime(e.FirstSeen.UtcDateTime)).ToDictionary(g => g.Key, g => g.Count());
        var discovery = new List<DiscoveryPoint>(days.Count);
        var total = 0;
        foreach (var day in days)
        {
            var added = newPerDay.GetValueOrDefault(day);
            total += added;
            discovery.Add(new DiscoveryPoint(day, added, total));
        }

        var connections = edges.Sum(e => e.Connections);
        var seenOnce = edges.Count(e => e.Connections == 1);
        var rhythms = edges.Select(e => periodic.GetValueOrDefault(e.Edge)).OfType<PeriodicEdge>().ToList();
        var underCovered = rhythms.Where(p => !p.Covered).Select(p => $"{p.Edge}: {p.Period}, {p.Note}").ToList();
        DateTimeOffset? lastNew = edges.Count == 0 ? null : edges.Max(e => e.FirstSeen);
        var (status, reason) = Status(edges, lastNew, window, options, underCovered.Count);
        return new ScopeCoverage
        {
            Scope = scope,
            Name = name,
            Workload = workload,
            Edges = edges.Count,
            Connections = connections,
            Discovery = discovery,
            SeenOnce = seenOnce,
            SeenOneDay = members.Count(i => activeDays[i] == 1),
            NewEdgeChance = connections == 0 ? 1 : (double)seenOnce / connections,
            LastNewEdge = lastNew,
            Status = status,
            StatusReason = reason,
            Periodic = rhythms,
            UnderCovered = underCovered,
        };
    }

    private static (CoverageStatus, string) Status(List<EdgeActivity> edges, DateTimeOffset? lastNew, WindowActivity window, CoverageOptions options, int underCovered)
    {
        var stableAfter = Format(options.StableAfter);
        if (lastNew is not { } last)
        {
            return (CoverageStatus.Learning, "no edges seen");
        }

        if (window.Length < options.StableAfter)
        {
            return (CoverageStatus.Learning, $"the window ({Format(window.Length)}) is shorter than {stableAfter}");
        }

        var quiet = window.End - last;
        if (quiet >= options.StableAfter)
        {
            return underCovered > 0
                ? (CoverageStatus.Stabilizing, $"no new edge for {Format(quiet)}, but {underCovered} periodic edge(s) were seen in fewer than two periods")
                : (CoverageStatus.Stable, $"no new edge for {Format(quiet)} (>= {stableAfter})");
        }

        var recent = edges.Count(e => e.FirstSeen > window.End - options.StableAfter);
        var share = (double)recent / edges.Count;
        return share <= options.StabilizingShare
            ? (CoverageStatus.Stabilizing, $"{recent} new edge(s) in the last {stableAfter} ({Percent(share)} of {edges.Count}); last {Format(quiet)} before the window's end")
            : (CoverageStatus.Learning, $"{recent} new edge(s) in the last {stableAfter} ({Percent(share)} of {edges.Count})");
    }

    private static string Percent(double share) => share.ToString("0%", CultureInfo.InvariantCulture);

    internal static string Format(TimeSpan t) => t.TotalHours >= 48
        ? $"{t.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)}d"
        : t.TotalHours >= 1 ? $"{t.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)}h" : $"{t.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)}m";
}
