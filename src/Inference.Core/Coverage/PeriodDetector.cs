using System.Globalization;
using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Coverage;

/// <summary>
/// Finds an edge's rhythm from its active hours. Consecutive active hours form one run; evenly spaced runs are a period.
/// An hourly job shows as consecutive hours that start at the same minute. A job's edge seen in one run has a period
/// that cannot be known from this window: it is reported, uncovered, rather than guessed.
/// </summary>
internal static class PeriodDetector
{
    public static PeriodicEdge? Detect(EdgeActivity edge, TimeSpan window, CoverageOptions options)
    {
        var runs = RunStarts(edge.Hours);
        var isJob = edge.Edge.Source.WorkloadKind is WorkloadKind.CronJob or WorkloadKind.Job;

        // two runs show one gap, which is always "even": only a job is believed periodic on that alone
        if (runs.Count >= (isJob ? 2 : 3))
        {
            var gaps = new double[runs.Count - 1];
            for (var i = 1; i < runs.Count; i++)
            {
                gaps[i - 1] = (runs[i] - runs[i - 1]).TotalHours;
            }

            var median = Median(gaps);
            // a rhythm also shows up in most of the periods the window holds, else the edge is merely intermittent
            var expected = window.TotalHours / median;
            if (median >= 2 && gaps.All(g => Math.Abs(g - median) <= options.PeriodTolerance * median) && runs.Count >= 0.5 * Math.Floor(expected))
            {
                var length = TimeSpan.FromHours(Math.Round(median));
                return Periodic(edge.Edge, Name(median), length, runs.Count, window);
            }

            return null;
        }

        if (IsHourly(edge.Hours))
        {
            return Periodic(edge.Edge, "hourly", TimeSpan.FromHours(1), edge.Hours.Count, window);
        }

        if (isJob && runs.Count == 1)
        {
            return new PeriodicEdge(edge.Edge, "unknown (one run)", null, 1, false,
                $"a job's edge seen in one run only ({edge.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm}Z): its period, and whether it needs more than this window saw, cannot be known; a window of at least two of its periods is needed");
        }

        return null;
    }

    private static PeriodicEdge Periodic(EdgeKey edge, string name, TimeSpan length, int runs, TimeSpan window)
    {
        var periods = window / length;
        var covered = runs >= 2 && periods >= 2;
        var note = covered
            ? $"{runs} runs seen, the window spans {periods.ToString("0.#", CultureInfo.InvariantCulture)} periods"
            : $"only {runs} run(s) and {periods.ToString("0.#", CultureInfo.InvariantCulture)} period(s) in the window: at least two periods are needed";
        return new PeriodicEdge(edge, name, length, runs, covered, note);
    }

    private static string Name(double hours) => hours switch
    {
        >= 20 and <= 28 => "daily",
        >= 150 and <= 186 => "weekly",
        _ => $"every {Math.Round(hours).ToString(CultureInfo.InvariantCulture)}h",
    };

    /// <summary>
    /// At least three consecutive hours, each a short burst (first to last connection within ten minutes) starting within five
    /// minutes of the same minute of the hour: a job, not traffic spread through the hour.
    /// </summary>
    private static bool IsHourly(IReadOnlyList<HourActivity> hours)
    {
        if (hours.Count < 3 || hours.Any(h => h.LastSeen - h.FirstSeen > TimeSpan.FromMinutes(10)))
        {
            return false;
        }

        var minutes = hours.Select(h => (double)h.FirstSeen.UtcDateTime.Minute).ToArray();
        var median = Median(minutes);
        return minutes.All(m => Math.Abs(m - median) <= 5);
    }

    private static List<DateTimeOffset> RunStarts(IReadOnlyList<HourActivity> hours)
    {
        var starts = new List<DateTimeOffset>();
        for (var i = 0; i < hours.Count; i++)
        {
            if (i == 0 || hours[i].Hour - hours[i - 1].Hour > TimeSpan.FromHours(1))
            {
                starts.Add(hours[i].FirstSeen);
            }
        }

        return starts;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
