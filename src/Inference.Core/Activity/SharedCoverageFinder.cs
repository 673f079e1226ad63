namespace Inference.Core.Activity;

/// <summary>
/// Finds where a run's flows fall in time an earlier source covered from the same nodes. An earlier source's last
/// minutes can be exempt: the connections it stored there are remembered and not counted again.
/// </summary>
public static class SharedCoverageFinder
{
    public const long HourNs = 3_600_000_000_000L;

    /// <param name="rememberedNs">How much of the end of an earlier source's time a run recognises connections in (0: none).</param>
    public static IReadOnlyList<SharedCoverage> Find(CoveredTime run, IEnumerable<CoveredTime> earlier, Func<CoveredTime, long> rememberedNs)
    {
        var result = new List<SharedCoverage>();
        foreach (var before in earlier)
        {
            var from = Math.Max(before.FirstNs, run.FirstNs);
            var to = Math.Min(before.LastNs - Math.Max(0, rememberedNs(before)), run.LastNs);
            if (from >= to)
            {
                continue;
            }

            // only the hours both hold flows of the same node in: another cluster's nodes, or a source's quiet days
            // between two of its runs, share nothing
            var shared = run.NodeHours
                .Where(h => h.HourNs + HourNs > from && h.HourNs < to && before.NodeHours.Contains(h))
                .ToList();
            if (shared.Count == 0)
            {
                continue;
            }

            result.Add(new SharedCoverage(
                before.Source,
                Math.Max(from, shared.Min(h => h.HourNs)),
                Math.Min(to, shared.Max(h => h.HourNs) + HourNs),
                [.. shared.Select(h => h.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                before.LastNs));
        }

        return [.. result.OrderBy(r => r.Source, StringComparer.Ordinal)];
    }
}
