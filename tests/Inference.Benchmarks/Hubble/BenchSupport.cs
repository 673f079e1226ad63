using System.Diagnostics;
using System.Globalization;

namespace Inference.Benchmarks.Hubble;

/// <summary>Timing (wall clock and this process's CPU), temp directories and formatting for the Hubble benchmarks.</summary>
internal static class BenchSupport
{
    public static CultureInfo Inv => CultureInfo.InvariantCulture;

    public static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    public static async Task<(T Result, TimeSpan Wall, TimeSpan Cpu)> TimeAsync<T>(Func<Task<T>> action)
    {
        var cpu = ProcessCpu();
        var watch = Stopwatch.StartNew();
        var result = await action();
        watch.Stop();
        return (result, watch.Elapsed, ProcessCpu() - cpu);
    }

    public static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"inference-bench-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS's temp cleanup
        }
    }

    /// <summary>An integer from the environment (to scale a benchmark down for a quick check), else the default.</summary>
    public static long FromEnvironment(string name, long fallback) =>
        long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MB";

    public static string S(TimeSpan t) => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    public static string F(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The size on disk of a DuckDB file and its WAL.</summary>
    public static long DbSize(string path) =>
        new FileInfo(path).Length + (File.Exists(path + ".wal") ? new FileInfo(path + ".wal").Length : 0);
}
