using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Ingest.Hubble.Tests.Files;

/// <summary>
/// An import whose process died (killed, out of memory, power lost) after some of its batches were stored, run again:
/// the stored part is not counted twice and the connections still open when it died are not lost. The death is
/// simulated by an exception out of the import after batches were written (flushing after every 1 MiB chunk), which
/// leaves the store as a killed process leaves it: the committed batches and no final one.
/// </summary>
public sealed class DiedImportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class SimulatedDeath : Exception;

    /// <summary>A week (several chunks) with malformed lines at the given fractions: where a run may be made to die.</summary>
    private static (List<string> Lines, long[] Markers) Week(params double[] at)
    {
        List<string> lines = [.. HubbleWeek.Render(HubbleWeek.Connections(days: 7)).Select(l => l.Json)];
        Assert.True(lines.Sum(l => l.Length + 1) > 4 << 20, "the import must span several chunks");
        var markers = at.Select(f => (long)(lines.Count * f)).ToArray();
        foreach (var marker in markers)
        {
            lines[(int)marker] = "{ not json";
        }

        // line numbers are 1-based
        return (lines, [.. markers.Select(m => m + 1)]);
    }

    private static Task<IngestSummary> ImportAsync(InferenceStore store, string file, long? dieAtLine = null, CancellationTokenSource? ctrlCAt = null, long ctrlCLine = 0) =>
        HubbleIngestRunner.ImportFileAsync(store, file,
            new IngestOptions { Source = "hubble-file:" + file, SourceKind = "hubble-file", FlushInterval = TimeSpan.Zero },
            bad =>
            {
                if (bad.Line == dieAtLine)
                {
                    throw new SimulatedDeath();
                }

                if (bad.Line == ctrlCLine)
                {
                    ctrlCAt!.Cancel();
                }
            },
            TimeProvider.System, ctrlCAt?.Token ?? CancellationToken.None);

    private async Task<IReadOnlyList<string>> OnceAsync(List<string> lines)
    {
        var file = _dir.File($"once-{Guid.NewGuid():N}.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(_dir.File($"once-{Guid.NewGuid():N}.duckdb"));
        await ImportAsync(store, file);
        return StoredEdges.CountsAndTimes(store);
    }

    /// <summary>A week with malformed lines at the given fractions, the edges of one clean import of it, and a fresh store.</summary>
    private async Task<Run> PrepareAsync(string name, params double[] at)
    {
        var (lines, markers) = Week(at);
        var expected = await OnceAsync(lines);
        var file = _dir.File(name + ".json");
        await File.WriteAllLinesAsync(file, lines);
        return new Run(markers, expected, file, InferenceStore.Open(_dir.File(name + ".duckdb")));
    }

    private sealed record Run(long[] Markers, IReadOnlyList<string> Expected, string File, InferenceStore Store) : IDisposable
    {
        public void Dispose() => Store.Dispose();
    }

    [Fact]
    public async Task An_import_that_died_run_again_counts_what_it_stored_once_and_finishes_what_it_left_open()
    {
        using var run = await PrepareAsync("died", 0.6);
        var (markers, expected, file, store) = run;

        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[0]));
        var progress = Assert.Single(store.Reads.ImportedFiles());
        Assert.False(progress.Complete);
        Assert.InRange(progress.Lines, 1, markers[0] - 1);
        Assert.NotNull(progress.ResumeFromNs);
        Assert.NotEmpty(store.Reads.Edges());

        var again = await ImportAsync(store, file);

        Assert.Equal("end of input", again.StopReason);
        Assert.Null(again.AlreadyStored?.Import);
        Assert.Equal(progress.Lines, again.AlreadyStored?.Unfinished?.Lines);
        Assert.InRange(again.Replayed, 1, progress.Lines);
        Assert.Equal(expected, StoredEdges.CountsAndTimes(store));
        // finished: one complete record, and a third run finds nothing new
        Assert.True(Assert.Single(store.Reads.ImportedFiles()).Complete);
        var third = await ImportAsync(store, file);
        Assert.Equal("already imported: nothing new", third.StopReason);
        Assert.Equal(expected, StoredEdges.CountsAndTimes(store));
    }

    [Fact]
    public async Task A_rerun_that_dies_too_before_reaching_where_the_first_died_loses_nothing_and_counts_nothing_twice()
    {
        using var run = await PrepareAsync("died-twice", 0.25, 0.7);
        var (markers, expected, file, store) = run;

        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[1]));
        var progress = Assert.Single(store.Reads.ImportedFiles());
        Assert.True(progress.Lines > markers[0], "the first run died after the second marker");
        // the rerun dies while it is still re-reading what the first run stored: the first run's progress still stands
        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[0]));
        Assert.Equal(progress, Assert.Single(store.Reads.ImportedFiles()));

        await ImportAsync(store, file);

        Assert.Equal(expected, StoredEdges.CountsAndTimes(store));
    }

    [Fact]
    public async Task A_rerun_that_dies_after_passing_where_the_first_died_is_itself_resumed()
    {
        using var run = await PrepareAsync("died-later", 0.3, 0.75);
        var (markers, expected, file, store) = run;

        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[0]));
        var first = Assert.Single(store.Reads.ImportedFiles());
        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[1]));
        var second = Assert.Single(store.Reads.ImportedFiles());
        Assert.False(second.Complete);
        Assert.True(second.Lines > first.Lines);

        await ImportAsync(store, file);

        Assert.Equal(expected, StoredEdges.CountsAndTimes(store));
    }

    [Fact]
    public async Task Ctrl_c_while_rerunning_an_import_that_died_keeps_what_is_left_to_finish()
    {
        using var run = await PrepareAsync("died-then-ctrl-c", 0.25, 0.7);
        var (markers, expected, file, store) = run;

        await Assert.ThrowsAsync<SimulatedDeath>(() => ImportAsync(store, file, dieAtLine: markers[1]));
        var died = Assert.Single(store.Reads.ImportedFiles());
        using (var ctrlC = new CancellationTokenSource())
        {
            var interrupted = await ImportAsync(store, file, ctrlCAt: ctrlC, ctrlCLine: markers[0]);
            Assert.Equal("interrupted", interrupted.StopReason);
        }

        // the interrupted rerun recorded what it finished; the died run's progress past it still stands
        var records = store.Reads.ImportedFiles();
        Assert.Contains(records, r => r.Complete && r.Lines < died.Lines);
        Assert.Contains(died, records);
        var last = await ImportAsync(store, file);

        Assert.NotNull(last.AlreadyStored?.Import);
        Assert.Equal(died, last.AlreadyStored?.Unfinished);
        Assert.Equal(expected, StoredEdges.CountsAndTimes(store));
    }
}
