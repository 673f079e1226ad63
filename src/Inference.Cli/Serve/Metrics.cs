using System.Globalization;
using System.Text;
using Inference.Store.Reading;

namespace Inference.Cli.Serve;

/// <summary>
/// /metrics in the Prometheus text format: per source flows read (and flows/s over the last scrape interval), lag
/// (now minus the newest flow stored), lost events, ingester state and restarts, and the DB size on disk.
/// </summary>
internal sealed class Metrics(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Flows, DateTimeOffset At)> _previous = new(StringComparer.Ordinal);

    public string Render(StoreStatus status, IReadOnlyList<IngesterState> ingesters, string dbPath)
    {
        var now = time.GetUtcNow();
        var sb = new StringBuilder();
        Header(sb, "inference_flows_read_total", "counter", "Flows read per source (stored progress)");
        foreach (var s in status.Sources)
        {
            Line(sb, "inference_flows_read_total", s.Source, s.FlowsRead);
        }

        Header(sb, "inference_flows_per_second", "gauge", "Flows read per second since the previous scrape");
        lock (_gate)
        {
            foreach (var s in status.Sources)
            {
                var rate = _previous.TryGetValue(s.Source, out var prev) && now > prev.At ? (s.FlowsRead - prev.Flows) / (now - prev.At).TotalSeconds : 0;
                _previous[s.Source] = (s.FlowsRead, now);
                Line(sb, "inference_flows_per_second", s.Source, Math.Max(0, rate));
            }
        }

        Header(sb, "inference_ingest_lag_seconds", "gauge", "Seconds between now and the newest flow stored per source");
        foreach (var s in status.Sources.Where(s => s.LastFlow is not null))
        {
            Line(sb, "inference_ingest_lag_seconds", s.Source, Math.Max(0, (now - s.LastFlow!.Value).TotalSeconds));
        }

        Header(sb, "inference_lost_events_total", "counter", "Events the producer reported lost (Hubble lost_events) per source");
        foreach (var g in status.LostEvents.GroupBy(l => l.Source, StringComparer.Ordinal))
        {
            Line(sb, "inference_lost_events_total", g.Key, g.Sum(l => l.Count));
        }

        Header(sb, "inference_ingester_up", "gauge", "1 while the ingester runs, 0 while it waits to restart");
        foreach (var i in ingesters)
        {
            Line(sb, "inference_ingester_up", i.Source, i.Snapshot().State == "running" ? 1 : 0);
        }

        Header(sb, "inference_ingester_restarts_total", "counter", "Restarts after a failure");
        foreach (var i in ingesters)
        {
            Line(sb, "inference_ingester_restarts_total", i.Source, i.Restarts);
        }

        Header(sb, "inference_db_size_bytes", "gauge", "Size of the DuckDB file and its WAL");
        sb.Append(CultureInfo.InvariantCulture, $"inference_db_size_bytes {DbSize(dbPath)}\n");
        return sb.ToString();
    }

    public static long DbSize(string path) =>
        new[] { path, path + ".wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    private static void Line(StringBuilder sb, string name, string source, double value) =>
        sb.Append(CultureInfo.InvariantCulture, $"{name}{{source=\"{Escape(source)}\"}} {value.ToString("0.###", CultureInfo.InvariantCulture)}\n");

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
