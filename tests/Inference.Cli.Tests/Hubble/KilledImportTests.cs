using System.Diagnostics;
using System.Text;
using Inference.Cli.Tests.Foundation;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Hubble;

/// <summary>
/// <c>inference ingest hubble --file</c> killed with SIGKILL after it stored a batch, then run again: DuckDB recovers the
/// committed batches from its WAL, and the re-run finishes the import without counting anything twice. The file is fed
/// through a FIFO so the test decides when the process has stored something and is waiting for more.
/// </summary>
public sealed class KilledImportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task An_import_killed_after_storing_a_batch_is_finished_by_running_it_again()
    {
        var dir = CliRunner.TempDir();
        var lines = HubbleWeek.Render(HubbleWeek.Connections(days: 7)).Select(l => l.Json + "\n").ToList();
        var file = Path.Combine(dir, "week.json");
        await File.WriteAllTextAsync(file, string.Concat(lines));
        var once = Path.Combine(dir, "once.duckdb");
        Assert.Equal(0, (await CliRunner.RunAsync("ingest", "hubble", "--file", file, "--db", once)).Exit);

        var fifo = Path.Combine(dir, "flows.fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var db = Path.Combine(dir, "killed.duckdb");
        using var import = StartImport(fifo, db);
        var wal = db + ".wal";
        await using (var feed = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            // most of the week, then (once the 2 s flush interval has passed) a little more: the chunk that follows the
            // interval is flushed with the import's progress, and the process then waits on the FIFO for the rest
            var first = lines.Count * 6 / 10;
            await feed.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Take(first))));
            await feed.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var before = File.Exists(wal) ? new FileInfo(wal).Length : 0;
            await feed.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Skip(first).Take(lines.Count / 10))));
            await feed.FlushAsync();
            await WaitForCommitAsync(wal, before, import);

            import.Kill(entireProcessTree: true);
            await import.WaitForExitAsync();
        }

        var (exit, _, error) = await CliRunner.RunAsync("ingest", "hubble", "--file", file, "--db", db);

        Assert.Equal(0, exit);
        Assert.Contains("stopped before it finished", error, StringComparison.Ordinal);
        Assert.Equal((await CliRunner.RunAsync("edges", "-o", "json", "--db", once)).Out, (await CliRunner.RunAsync("edges", "-o", "json", "--db", db)).Out);
    }

    private static Process StartImport(string path, string db)
    {
        var process = Process.Start(InferenceProcess.StartInfo(["ingest", "hubble", "--file", path, "--db", db]))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the WAL has grown past <paramref name="before"/> and then stayed the same for a second: a batch committed.</summary>
    private static async Task WaitForCommitAsync(string wal, long before, Process import)
    {
        var deadline = DateTime.UtcNow + Patience;
        long last = -1;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(import.HasExited, "the import exited before it was killed");
            var size = File.Exists(wal) ? new FileInfo(wal).Length : 0;
            if (size != last)
            {
                last = size;
                stableSince = DateTime.UtcNow;
            }
            else if (size > before && DateTime.UtcNow - stableSince >= TimeSpan.FromSeconds(1))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"no batch was committed to {wal} within {Patience}");
    }
}
