using System.Diagnostics;
using Inference.Cli.Tests.Foundation;

namespace Inference.Cli.Tests.Hubble;

/// <summary><c>hubble observe ... | inference ingest hubble --file -</c> run twice over the same capture stores it once.</summary>
public sealed class StdinImportTests
{
    [Fact]
    public async Task The_same_capture_piped_in_twice_is_stored_once()
    {
        var dir = CliRunner.TempDir();
        var db = Path.Combine(dir, "piped.duckdb");
        var sample = Path.Combine(AppContext.BaseDirectory, "Samples", "hubble", "basic-sample-400-tcp-flows.json");

        var first = await PipeAsync(sample, db);
        var before = await CliRunner.RunAsync("edges", "-o", "json", "--db", db);
        var second = await PipeAsync(sample, db);

        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains(": 400 flows", first.Out, StringComparison.Ordinal);
        Assert.True(second.Exit == 0, second.Err);
        Assert.Contains("<stdin>: its first 400 lines were already imported", second.Err, StringComparison.Ordinal);
        Assert.Contains("nothing new to import", second.Err, StringComparison.Ordinal);
        Assert.Contains(": 0 flows, 0 connections", second.Out, StringComparison.Ordinal);
        Assert.Equal(before.Out, (await CliRunner.RunAsync("edges", "-o", "json", "--db", db)).Out);
    }

    private static async Task<(int Exit, string Out, string Err)> PipeAsync(string file, string db)
    {
        using var process = Process.Start(InferenceProcess.StartInfo(["ingest", "hubble", "--file", "-", "--db", db]))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await using (var input = File.OpenRead(file))
        {
            await input.CopyToAsync(process.StandardInput.BaseStream);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
