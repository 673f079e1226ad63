#!/usr/bin/env python3
"""Writes audit-week.ipynb from the cell sources below (edit here, then run: python3 notebooks/make_notebook.py)."""
import json, os

cells = []

def md(text):
    cells.append({"cell_type": "markdown", "metadata": {}, "source": text.strip("\n").splitlines(True)})

def cs(text):
    cells.append({"cell_type": "code", "execution_count": None,
                  "metadata": {"dotnet_interactive": {"language": "csharp"}, "polyglot_notebook": {"kernelName": "csharp"}},
                  "outputs": [], "source": text.strip("\n").splitlines(True)})

md("""
# Audit week walkthrough

This notebook opens an Inference store and walks a reviewer through the audit window:

1. the **discovery curve** per namespace (are new edges still appearing?),
2. **coverage status and gaps** (Learning / Stabilizing / Stable, periodic edges seen in fewer than two periods, blind spots),
3. the **anomaly ranking** with the features that drove each score (ML.NET randomized PCA, seeded),
4. the **suggested policies' evidence**, with rules whose evidence is only anomalous edges marked *review before allowing*.

It reads the store named by `INFERENCE_DB` (default: `../inference-demo.duckdb`). `notebooks/run.sh` builds the assemblies into
`notebooks/bin/`, writes the demo store and runs this notebook headless with the pinned `dotnet-repl`.
""")

cs("""
#r "bin/YamlDotNet.dll"
#r "bin/Microsoft.ML.Core.dll"
#r "bin/Microsoft.ML.Data.dll"
#r "bin/Microsoft.ML.DataView.dll"
#r "bin/Microsoft.ML.CpuMath.dll"
#r "bin/Microsoft.ML.PCA.dll"
#r "bin/Microsoft.ML.StandardTrainers.dll"
#r "bin/Microsoft.ML.Transforms.dll"
#r "bin/Microsoft.ML.KMeansClustering.dll"
#r "bin/DuckDB.NET.Bindings.dll"
#r "bin/DuckDB.NET.Data.dll"
#r "bin/SkiaSharp.dll"
#r "bin/HarfBuzzSharp.dll"
#r "bin/SkiaSharp.HarfBuzz.dll"
#r "bin/ScottPlot.dll"
#r "bin/Inference.Core.dll"
#r "bin/Inference.Store.dll"
""")

cs("""
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Inference.Core.Activity;
using Inference.Core.Anomalies;
using Inference.Core.Coverage;
using Inference.Core.Flows;
using Inference.Store;
using Inference.Store.Reading;

var dbPath = Environment.GetEnvironmentVariable("INFERENCE_DB") is { Length: > 0 } fromEnv ? fromEnv : Path.GetFullPath("../inference-demo.duckdb");
var outDir = Environment.GetEnvironmentVariable("NOTEBOOK_OUT") is { Length: > 0 } o ? o : Path.GetFullPath("out");
Directory.CreateDirectory(outDir);

WindowActivity window;
using (var store = InferenceStore.Open(dbPath, new StoreOptions { ReadOnly = true }))
{
    window = store.ReadWindow();
}

Console.WriteLine($"store {dbPath}");
Console.WriteLine($"window {window.Start:u} .. {window.End:u} ({window.Length.TotalHours:0.#} h), {window.Edges.Count} edges, {window.Edges.Sum(e => e.Connections):N0} connections");
if (window.Edges.Count == 0) throw new InvalidOperationException("the store has no edges: ingest flows (or run `inference demo`) first");

// shows a PNG inline (base64) so the saved notebook carries its charts
void ShowPng(string path) => display(HTML($"<img src='data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(path))}' width='800'/>"));
""")

md("""
## 1. Discovery curve

Edges known by the end of each day, cluster-wide and per namespace. A curve that has flattened says the window has seen what
this traffic does; one still climbing at the end says keep listening.
""")

cs("""
var coverage = CoverageAnalyzer.Analyze(window);
foreach (var scope in new[] { coverage.Cluster }.Concat(coverage.Namespaces))
{
    var active = scope.Discovery.Where(d => d.NewEdges > 0).Select(d => $"{d.Day:MM-dd}:{d.NewEdges}");
    Console.WriteLine($"{scope.Name,-20} {scope.Status,-12} {scope.Edges,5} edges   new on {string.Join(" ", active)}");
}

var plot = new ScottPlot.Plot();
foreach (var scope in new[] { coverage.Cluster }.Concat(coverage.Namespaces))
{
    var xs = scope.Discovery.Select(d => d.Day.ToDateTime(TimeOnly.MinValue).AddDays(1).ToOADate()).ToArray();
    var ys = scope.Discovery.Select(d => (double)d.TotalEdges).ToArray();
    var line = plot.Add.Scatter(xs, ys);
    line.LegendText = scope.Name;
    line.MarkerSize = xs.Length > 60 ? 0 : 5;
}
plot.Axes.DateTimeTicksBottom();
plot.Title("Discovery curve");
plot.YLabel("edges known");
plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
var curvePng = Path.Combine(outDir, "discovery-curve.png");
plot.SavePng(curvePng, 900, 500);
ShowPng(curvePng);
""")

md("""
## 2. Coverage status and gaps

Status per scope, the Good-Turing estimate of the chance that the next connection is on an edge not seen yet, periodic edges
(a job seen in one run, or fewer than two periods, is *under-covered*), and blind spots: lost events, unavailable nodes, read
gaps, hours with no flows from a node, workloads without DNS visibility.
""")

cs("""
Console.WriteLine(coverage.Headline);
Console.WriteLine();
Console.WriteLine($"{"SCOPE",-40} {"STATUS",-12} {"EDGES",6} {"ONCE",6} {"ONE DAY",8} {"P(NEW)",8}");
foreach (var s in new[] { coverage.Cluster }.Concat(coverage.Namespaces).Concat(coverage.Workloads.Where(w => w.IsUnderCovered || w.Status != CoverageStatus.Stable)))
{
    Console.WriteLine($"{s.Scope + " " + s.Name,-40} {s.Status,-12} {s.Edges,6} {s.SeenOnceShare,6:P0} {s.SeenOneDayShare,8:P0} {s.NewEdgeChance,8:0.0000}");
}

Console.WriteLine();
Console.WriteLine("Periodic edges:");
foreach (var p in coverage.Cluster.Periodic)
    Console.WriteLine($"  {(p.Covered ? "covered " : "UNDER   ")} {p.Period,-18} runs {p.Runs,3}  {p.Edge}");
if (coverage.Cluster.Periodic.Count == 0) Console.WriteLine("  none found");

Console.WriteLine();
Console.WriteLine("Blind spots:");
foreach (var b in coverage.BlindSpots)
    Console.WriteLine($"  {b.Kind,-18} {b.Subject,-40} {b.From:u} {b.To:u} {b.Detail}");
if (coverage.BlindSpots.Count == 0) Console.WriteLine("  none found");
foreach (var note in coverage.Notes) Console.WriteLine($"Note: {note}");
""")

md("""
## 3. Anomaly ranking

Every edge is scored against the window itself: 13 per-edge features (connections, active hours and days, regularity,
source pods, first seen, burstiness, port rarity, the source's fan-out per minute, cross-namespace, share dropped, newly
resolved domain), robust-scaled, then a distance in the frame of an ML.NET randomized PCA learned with every source workload
weighted equally. Score 0..1; 0.8 and above is flagged for review. The reasons are the features that pushed the edge away
from normal, with their share of its distance.
""")

cs("""
var scores = AnomalyDetector.Score(window);
Console.WriteLine($"model: {scores.Model}");
foreach (var note in scores.Notes) Console.WriteLine($"note: {note}");
Console.WriteLine($"{scores.Ranked.Count(a => a.Flagged)} of {scores.Ranked.Count} edges flagged");
Console.WriteLine();
foreach (var (a, i) in scores.Ranked.Take(15).Select((a, i) => (a, i)))
{
    var why = string.Join(", ", a.Reasons.Select(r => $"{r.Feature}={r.Value:0.##} ({r.Contribution:P0})"));
    Console.WriteLine($"{i + 1,3}. {a.Score:0.000} {(a.Flagged ? "REVIEW" : "      ")} {a.Edge}  <- {why}");
}

var bars = new ScottPlot.Plot();
var top = scores.Ranked.Take(20).ToList();
var bar = bars.Add.Bars(top.Select(a => a.Score).ToArray());
bars.Axes.Bottom.SetTicks(Enumerable.Range(0, top.Count).Select(i => (double)i).ToArray(), top.Select((a, i) => (i + 1).ToString(CultureInfo.InvariantCulture)).ToArray());
bars.Add.HorizontalLine(new AnomalyOptions().FlagThreshold);
bars.Title("Anomaly score of the 20 most anomalous edges (line: flag threshold)");
bars.Axes.SetLimitsY(0, 1);
var scoresPng = Path.Combine(outDir, "anomaly-scores.png");
bars.SavePng(scoresPng, 900, 400);
ShowPng(scoresPng);
""")

md("""
## 4. Suggested policies' evidence

`inference suggest -o json` reports every rule with the edges it was learned from. A rule whose evidence is only flagged
edges is marked **review before allowing**: it is still listed (never silently dropped, never silently allowed). Each rule
also carries the coverage of its edges: a rule learned while a scope was still Learning, or from a periodic edge seen in
fewer than two periods, is said to rest on low coverage.
""")

cs("""
static string PeerText(JsonElement p) => p.TryGetProperty("workload", out var w)
    ? $"{p.GetProperty("namespace").GetString()}/{w.GetString()}"
    : p.GetProperty("entity").GetString() + (p.TryGetProperty("ip", out var ip) ? ":" + ip.GetString() : "");
static string PeerKey(Peer p) => p.IsWorkload ? $"{p.Namespace}/{p.Workload}" : p.Entity!.Value.ToWire() + (p.Ip is null ? "" : ":" + p.Ip);
static string EdgeText(EdgeKey e) => $"{PeerKey(e.Source)} -> {PeerKey(e.Destination)} {e.Protocol.ToWire()}/{e.Port}";

var byText = scores.Ranked.GroupBy(a => EdgeText(a.Edge)).ToDictionary(g => g.Key, g => g.First());
var cli = Path.GetFullPath("bin/inference.dll");
var psi = new ProcessStartInfo("dotnet", $"\\"{cli}\\" suggest --db \\"{dbPath}\\" -o json") { RedirectStandardOutput = true, RedirectStandardError = true };
var proc = Process.Start(psi)!;
var json = await proc.StandardOutput.ReadToEndAsync();
var err = await proc.StandardError.ReadToEndAsync();
await proc.WaitForExitAsync();
var exitCode = proc.ExitCode;
proc.Dispose();
if (exitCode != 0)
{
    Console.WriteLine($"inference suggest failed ({exitCode}): {err.Trim()}");
}
else
{
    var report = JsonDocument.Parse(json).RootElement;
    int rules = 0, review = 0, low = 0;
    foreach (var policy in report.GetProperty("policies").EnumerateArray())
    foreach (var rule in policy.GetProperty("rules").EnumerateArray())
    {
        rules++;
        var edges = rule.GetProperty("evidence").GetProperty("edges").EnumerateArray()
            .Select(e => $"{PeerText(e.GetProperty("source"))} -> {PeerText(e.GetProperty("destination"))} {e.GetProperty("protocol").GetString()}/{(e.GetProperty("port").ValueKind == JsonValueKind.Number ? e.GetProperty("port").GetInt32().ToString(CultureInfo.InvariantCulture) : "")}")
            .ToList();
        var scored = edges.Select(t => byText.GetValueOrDefault(t)).Where(a => a is not null).Select(a => a!).ToList();
        var onlyAnomalous = scores.OnlyAnomalousEvidence(scored.Select(a => a.Edge));
        var evidence = scored.Select(a => coverage.EvidenceFor(a.Edge)).ToList();
        var lowCoverage = evidence.Any(e => e.Low);
        review += onlyAnomalous ? 1 : 0;
        low += lowCoverage ? 1 : 0;
        var maxScore = scored.Count == 0 ? 0 : scored.Max(a => a.Score);
        Console.WriteLine($"{policy.GetProperty("namespace").GetString()}/{policy.GetProperty("name").GetString()} {rule.GetProperty("direction").GetString()} #{rule.GetProperty("index").GetInt32()}: " +
            $"{edges.Count} edge(s), {rule.GetProperty("evidence").GetProperty("connections").GetInt64():N0} connections, max score {maxScore:0.00}" +
            (onlyAnomalous ? "  ** review before allowing: evidence is only anomalous edges **" : "") +
            (lowCoverage ? "  (low coverage)" : ""));
    }

    Console.WriteLine();
    Console.WriteLine($"{rules} rules; {review} to review before allowing; {low} resting on low coverage");
}
""")

nb = {
    "cells": cells,
    "metadata": {
        "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
        "language_info": {"name": "polyglot-notebook"},
        "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"name": "csharp"}]}},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "audit-week.ipynb"), "w") as f:
    json.dump(nb, f, indent=1)
    f.write("\n")
