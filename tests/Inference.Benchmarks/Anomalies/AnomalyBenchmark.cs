using System.Diagnostics;
using System.Globalization;
using Inference.Core.Activity;
using Inference.Core.Anomalies;
using Inference.Core.Coverage;
using Inference.Core.Flows;

namespace Inference.Benchmarks.Anomalies;

/// <summary>
/// Features and anomaly scores (ML.NET randomized PCA) for 200,000 edges of a synthetic week. Target: at most 10 s.
/// Baseline in the same run: the same scoring without the PCA frame (robust distance alone), and coverage over the window.
/// </summary>
internal sealed class AnomalyBenchmark(int edges = 200_000) : IBenchmark
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(10);

    public string Name => "anomalies";

    public string Description => $"features + anomaly scores for {edges:N0} edges (target: <= {Target.TotalSeconds:0} s)";

    public Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var window = Week(edges, seed: 11);
        var buckets = window.Edges.Sum(e => e.Hours.Count);
        output.WriteLine($"   input: {window.Edges.Count:N0} edges, {buckets:N0} edge-hours, {window.Edges.Select(e => e.Edge.Source).Distinct().Count():N0} sources (generated in {S(watch.Elapsed)})");

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        watch.Restart();
        var features = FeatureExtractor.Extract(window, cancellationToken);
        var extract = watch.Elapsed;
        watch.Restart();
        var scores = AnomalyDetector.Score(features, new AnomalyOptions(), cancellationToken);
        var score = watch.Elapsed;
        var total = extract + score;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"   features {S(extract)}, scores {S(score)}: total {S(total)} for {scores.Ranked.Count:N0} edges " +
            $"({(scores.Ranked.Count / total.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture)} edges/s, cpu {S(cpuUsed)}, load {Load()}); {scores.Ranked.Count(a => a.Flagged):N0} flagged; {scores.Model}");

        watch.Restart();
        AnomalyDetector.Score(features, new AnomalyOptions { Rank = 0 }, cancellationToken);
        var baseline = watch.Elapsed;
        output.WriteLine($"   baseline (robust distance, no PCA): {S(baseline)}; PCA scoring / baseline: {(score / baseline).ToString("0.0", CultureInfo.InvariantCulture)}x");

        watch.Restart();
        var coverage = CoverageAnalyzer.Analyze(window, null, cancellationToken);
        output.WriteLine($"   coverage over the same window: {S(watch.Elapsed)} ({coverage.Workloads.Count:N0} workloads, {coverage.Cluster.Periodic.Count:N0} periodic edges)");
        output.WriteLine($"   anomalies: {S(total)} for {edges:N0} edges (target <= {S(Target)})");
        return Task.FromResult(total <= Target);
    }

    /// <summary>A week of edges from ~2,000 sources: steady, daytime, sparse and nightly edges, with hourly buckets like the store's.</summary>
    internal static WindowActivity Week(int count, int seed)
    {
        var rng = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
        var sources = Enumerable.Range(0, Math.Max(1, count / 100)).Select(i => Peer.ForWorkload("ns" + (i % 40), "w" + i, WorkloadKind.Deployment)).ToArray();
        var destinations = Enumerable.Range(0, 5_000).Select(i => Peer.ForWorkload("ns" + (i % 40), "d" + i, WorkloadKind.Deployment)).ToArray();
        var keys = new HashSet<EdgeKey>();
        while (keys.Count < count)
        {
            keys.Add(new EdgeKey(sources[rng.Next(sources.Length)], destinations[rng.Next(destinations.Length)], L4Protocol.Tcp, 80 + rng.Next(0, 200), null));
        }

        var result = new List<EdgeActivity>(count);
        foreach (var key in keys.Order())
        {
            var hours = new List<HourActivity>();
            var shape = rng.Next(4);
            var step = shape switch { 0 => 1, 1 => 3, 2 => 24, _ => 1 + rng.Next(0, 48) };
            var first = rng.Next(0, 24);
            for (var h = first; h < 168; h += shape == 3 ? 1 + rng.Next(0, 48) : step)
            {
                var hour = start.AddHours(h);
                var n = 1 + rng.Next(0, shape == 0 ? 200 : 5);
                var at = hour.AddMinutes(rng.Next(0, 59));
                hours.Add(new HourActivity(hour, n, rng.Next(0, 50) == 0 ? 1 : 0, 1 + rng.Next(0, 3), at, at.AddSeconds(rng.Next(0, 59))));
            }

            result.Add(new EdgeActivity(key, hours));
        }

        return new WindowActivity { Start = start, End = start.AddDays(7), Edges = result };
    }

    /// <summary>The 1-minute load average where the OS tells it: a busy machine explains a slow run.</summary>
    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string S(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
