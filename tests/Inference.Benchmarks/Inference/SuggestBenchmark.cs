using System.Diagnostics;
using System.Globalization;
using Inference.Cli.Suggest;
using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Benchmarks.Suggest;

/// <summary>
/// 10,000 workloads in 100 namespaces and 200,000 observed edges (pod-to-pod in and across namespaces, DNS, external
/// addresses) to a verified suggestion written as files, the way `inference suggest --out` writes them (its own file writer
/// and summary). Target: at most 10 s wall clock. Printed beside it: the time of each phase, CPU time and GC figures
/// (a shared machine stretches wall time; CPU time and allocations survive it).
/// </summary>
internal sealed class SuggestBenchmark : IBenchmark
{
    private const double TargetSeconds = 10;

    public string Name => "suggest";

    public string Description => "10,000 workloads, 200,000 edges to a verified, written kubernetes suggestion (target: <= 10 s)";

    public Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var input = Generate(namespaces: 100, perNamespace: 100, edgesPerWorkload: 20, seed: 42);
        output.WriteLine($"   input: {input.Workloads.Count:N0} workloads, {input.Pods.Count:N0} pods, {input.Edges.Count:N0} edges (generated in {watch.Elapsed.TotalSeconds:F2} s)");
        var dir = Directory.CreateTempSubdirectory("inference-suggest-bench-").FullName;
        try
        {
            // a collection now, so garbage from generating the input is not billed to the suggestion
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var gc = GcFigures.Now();
            var phases = new List<(string Name, TimeSpan At, TimeSpan Cpu, GcFigures Gc)>();
            watch.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var suggestion = Suggester.Suggest(input, new SuggestOptions(), name => phases.Add((name, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime, GcFigures.Now())), cancellationToken);
            var inferred = watch.Elapsed;
            var cpuInferred = Process.GetCurrentProcess().TotalProcessorTime;
            var live = GC.GetTotalMemory(forceFullCollection: false);
            // what `inference suggest --out DIR` does after loading: the files, then the summary it prints
            var written = SuggestionFiles.Write(dir, suggestion, cancellationToken);
            var summary = SuggestionReport.Summary(suggestion, written, dir);
            var total = watch.Elapsed;
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var gcUsed = GcFigures.Now() - gc;
            var v = suggestion.Verification;
            output.WriteLine($"   suggest: {inferred.TotalSeconds:F2} s (inference, verification of {v.ProbesEvaluated:N0} probes, exposure {suggestion.Exposure.Before:N0} -> {suggestion.Exposure.After:N0})");
            var (previous, previousCpu, previousGc) = (TimeSpan.Zero, cpu, gc);
            foreach (var (name, at, atCpu, atGc) in phases)
            {
                output.WriteLine($"     {name,-13} wall {(at - previous).TotalSeconds,5:F2} s, cpu {(atCpu - previousCpu).TotalSeconds,5:F2} s ({atGc - previousGc})");
                (previous, previousCpu, previousGc) = (at, atCpu, atGc);
            }

            output.WriteLine($"   write:   wall {(total - inferred).TotalSeconds:F2} s, cpu {(cpu + cpuUsed - cpuInferred).TotalSeconds:F2} s ({written.Count:N0} files, {suggestion.Policies.Count:N0} policies, {suggestion.RuleCount:N0} rules, summary {summary.Length:N0} chars)");
            output.WriteLine($"   covered: {v.EdgesCovered:N0}/{v.EdgesObserved:N0} edges, verification {(v.Passed ? "passed" : "FAILED")}");
            output.WriteLine($"   gc:      {gcUsed}; heap after suggest {live / (1024.0 * 1024.0):N0} MiB");
            output.WriteLine($"   total:   wall {total.TotalSeconds:F2} s, cpu {cpuUsed.TotalSeconds:F2} s (target <= {TargetSeconds:F0} s; load average {LoadAverage()})");
            return Task.FromResult(v.Passed && v.EdgesCovered == v.EdgesObserved && total.TotalSeconds <= TargetSeconds);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>For comparing output across changes: the benchmark's suggestion written to <paramref name="dir"/>, with its summary.</summary>
    public static async Task WriteSuggestionAsync(string dir, SuggestFormat format, CancellationToken cancellationToken)
    {
        var input = Generate(namespaces: 100, perNamespace: 100, edgesPerWorkload: 20, seed: 42);
        var suggestion = Suggester.Suggest(input, new SuggestOptions { Format = format }, cancellationToken);
        var written = SuggestionFiles.Write(dir, suggestion, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "summary.txt"), SuggestionReport.Summary(suggestion, written, "<out>"), cancellationToken);
    }

    // a busy shared machine stretches wall time; the load figure says how far to trust it
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private readonly record struct GcFigures(int Gen0, int Gen1, int Gen2, long Allocated, TimeSpan Paused)
    {
        public static GcFigures Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration());

        public static GcFigures operator -(GcFigures a, GcFigures b) =>
            new(a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Allocated - b.Allocated, a.Paused - b.Paused);

        public override string ToString() =>
            $"{Allocated / (1024.0 * 1024.0):N0} MiB allocated, collections gen0 {Gen0} / gen1 {Gen1} / gen2 {Gen2}, paused {Paused.TotalSeconds:F2} s";
    }

    internal static Observations Generate(int namespaces, int perNamespace, int edgesPerWorkload, int seed)
    {
        var rng = new Random(seed);
        var start = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);
        var workloads = new List<ObservedWorkload>();
        var pods = new List<ObservedPod>();
        var peers = new List<Peer>();
        var coredns = Peer.ForWorkload("kube-system", "coredns", WorkloadKind.Deployment);
        void AddWorkload(Peer w, Dictionary<string, string> labels)
        {
            var nsLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = w.Namespace! };
            workloads.Add(new ObservedWorkload(w, labels, nsLabels));
            for (var r = 0; r < 2; r++)
            {
                var podLabels = new Dictionary<string, string>(labels) { ["pod-template-hash"] = $"h{r}" };
                pods.Add(new ObservedPod(w, w.Namespace!, $"{w.Workload}-h{r}-x", podLabels, nsLabels, null));
            }
        }

        AddWorkload(coredns, new Dictionary<string, string> { ["k8s-app"] = "kube-dns" });
        for (var n = 0; n < namespaces; n++)
        {
            for (var i = 0; i < perNamespace; i++)
            {
                var w = Peer.ForWorkload($"ns-{n:D3}", $"svc-{i:D3}", WorkloadKind.Deployment);
                peers.Add(w);
                AddWorkload(w, new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = w.Workload!,
                    ["app.kubernetes.io/part-of"] = $"shop-{i % 7}",
                    ["tier"] = (i % 3).ToString(CultureInfo.InvariantCulture),
                });
            }
        }

        var ports = new[] { 80, 443, 8080, 8443, 9090, 5432, 6379, 9092, 50051, 7070, 3000, 11211 };
        var edges = new Dictionary<EdgeKey, ObservedEdge>();
        foreach (var source in peers)
        {
            var n = int.Parse(source.Namespace![3..], CultureInfo.InvariantCulture);
            var added = 0;
            while (added < edgesPerWorkload)
            {
                EdgeKey key;
                var kind = rng.Next(20);
                if (added == 0)
                {
                    key = new EdgeKey(source, coredns, L4Protocol.Udp, 53, null);
                }
                else if (kind == 0)
                {
                    var ip = $"52.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}";
                    key = new EdgeKey(source, Peer.ForEntity(EntityKind.World, ip), L4Protocol.Tcp, 443, null);
                }
                else
                {
                    // mostly within the namespace, sometimes to a neighbour namespace
                    var ns = kind < 16 ? n : (n + 1 + rng.Next(namespaces - 1)) % namespaces;
                    var destination = peers[(ns * perNamespace) + rng.Next(perNamespace)];
                    key = new EdgeKey(source, destination, L4Protocol.Tcp, ports[rng.Next(ports.Length)], null);
                }

                if (edges.ContainsKey(key))
                {
                    continue;
                }

                var count = 1 + rng.Next(500);
                var first = start.AddMinutes(rng.Next(10_000));
                // the maps as the store's edge reader makes them (ordinal-sorted)
                edges[key] = new ObservedEdge(key, count, new SortedDictionary<string, long>(StringComparer.Ordinal) { ["FORWARDED"] = count },
                    new SortedDictionary<string, long>(StringComparer.Ordinal),
                    first, first.AddMinutes(rng.Next(1, 1_000)), 1 + rng.Next(3));
                added++;
            }
        }

        return new Observations([.. edges.Values], workloads, pods, [], []);
    }
}
