using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Ingest.Hubble.Tests.Files;

/// <summary>
/// Content imported again (a re-run, the rest of an interrupted import, a file that grew, an export overlapping the
/// last one) is counted once: the edges are those of one import of everything.
/// </summary>
public sealed class ReimportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> TwoDays() => [.. HubbleWeek.Render(HubbleWeek.Connections(days: 2)).Select(l => l.Json)];

    private static async Task<IngestSummary> ImportAsync(InferenceStore store, string file, CancellationToken cancellationToken = default, Action<MalformedLine>? onMalformed = null) =>
        await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "hubble-file:" + file, SourceKind = "hubble-file" },
            onMalformed ?? (_ => { }), TimeProvider.System, cancellationToken);

    private async Task<IReadOnlyList<string>> OnceAsync(IEnumerable<string> lines)
    {
        var file = _dir.File($"once-{Guid.NewGuid():N}.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(_dir.File($"once-{Guid.NewGuid():N}.duckdb"));
        await ImportAsync(store, file);
        return StoredEdges.Counts(store);
    }

    [Fact]
    public async Task The_same_file_imported_twice_is_stored_once()
    {
        var lines = TwoDays();
        var expected = await OnceAsync(lines);
        var file = _dir.File("flows.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(_dir.File("twice.duckdb"));

        var first = await ImportAsync(store, file);
        // the same content under another name is the same content
        var copy = _dir.File("copy-of-flows.json");
        File.Copy(file, copy);
        var second = await ImportAsync(store, copy);

        Assert.Null(first.AlreadyStored);
        Assert.NotNull(second.AlreadyStored);
        Assert.False(second.AlreadyStored.MoreAfter);
        Assert.Equal(lines.Count, second.AlreadyStored.SkipLines);
        Assert.Equal(0, second.FlowsRead);
        Assert.Equal(expected, StoredEdges.Counts(store));
        Assert.Equal(first.FlowsRead, store.Reads.Status().Sources.Sum(s => s.FlowsRead));
    }

    [Fact]
    public async Task The_same_content_gzipped_is_recognised()
    {
        var lines = TwoDays();
        var file = _dir.File("flows.json");
        await File.WriteAllLinesAsync(file, lines);
        var gz = _dir.File("flows.json.gz");
        await using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Fastest))
        {
            await using var input = File.OpenRead(file);
            await input.CopyToAsync(output);
        }

        using var store = InferenceStore.Open(_dir.File("gz.duckdb"));
        await ImportAsync(store, gz);
        var second = await ImportAsync(store, file);

        Assert.Equal(lines.Count, second.AlreadyStored?.SkipLines);
        Assert.Equal(0, second.FlowsRead);
    }

    [Fact]
    public async Task A_damaged_gzip_keeps_what_came_before_the_damage_and_says_where_it_stopped()
    {
        var lines = TwoDays();
        var gz = _dir.File("damaged.json.gz");
        await using (var output = new System.IO.Compression.GZipStream(File.Create(gz), System.IO.Compression.CompressionLevel.Optimal))
        {
            await output.WriteAsync(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        }

        var bytes = await File.ReadAllBytesAsync(gz);
        bytes.AsSpan(bytes.Length * 3 / 4, 64).Fill(0xFF);
        await File.WriteAllBytesAsync(gz, bytes);
        using var store = InferenceStore.Open(_dir.File("damaged.duckdb"));

        var summary = await ImportAsync(store, gz);

        Assert.Equal("unreadable input", summary.StopReason);
        Assert.NotNull(summary.Failure);
        Assert.StartsWith(gz + ": could not be read after line ", summary.Failure, StringComparison.Ordinal);
        Assert.InRange(summary.FlowsRead, 1, lines.Count - 1);
        Assert.Equal(summary.FlowsRead, store.Reads.Status().Sources.Single().FlowsRead);
    }

    [Fact]
    public async Task A_file_that_grew_since_its_import_adds_only_what_follows()
    {
        var lines = TwoDays();
        var expected = await OnceAsync(lines);
        var file = _dir.File("growing.json");
        using var store = InferenceStore.Open(_dir.File("growing.duckdb"));

        // as `hubble observe -f > growing.json` leaves it: first a part (its last line not yet finished), then all of it
        var cut = lines.Count / 3;
        await File.WriteAllTextAsync(file, string.Join('\n', lines.Take(cut)) + "\n" + lines[cut][..(lines[cut].Length / 2)]);
        var malformed = new List<MalformedLine>();
        await ImportAsync(store, file, onMalformed: malformed.Add);
        Assert.Single(malformed);
        await File.WriteAllLinesAsync(file, lines);
        var rest = await ImportAsync(store, file);

        Assert.Equal(cut, rest.AlreadyStored?.SkipLines);
        Assert.True(rest.AlreadyStored!.MoreAfter);
        Assert.Equal(lines.Count - cut, rest.FlowsRead);
        Assert.Equal(expected, StoredEdges.Counts(store));
        Assert.Empty(rest.SharedCoverage);
    }

    [Fact]
    public async Task An_interrupted_import_run_again_continues_where_it_stopped()
    {
        // a week: several 1 MiB chunks; a malformed line a third of the way in is where the user presses Ctrl-C
        List<string> lines = [.. HubbleWeek.Render(HubbleWeek.Connections(days: 7)).Select(l => l.Json)];
        Assert.True(lines.Sum(l => l.Length + 1) > 4 << 20, "the import must span several chunks");
        var marker = lines.Count / 3;
        lines[marker] = "{ not json";
        var expected = await OnceAsync(lines);
        var file = _dir.File("interrupted.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(_dir.File("interrupted.duckdb"));

        using var ctrlC = new CancellationTokenSource();
        var first = await ImportAsync(store, file, ctrlC.Token, _ => ctrlC.Cancel());
        Assert.Equal("interrupted", first.StopReason);
        Assert.InRange(first.Lines, marker + 1, lines.Count - 1);
        var second = await ImportAsync(store, file);

        Assert.Equal(first.Lines, second.AlreadyStored?.SkipLines);
        Assert.Equal("end of input", second.StopReason);
        Assert.Equal(expected, StoredEdges.Counts(store));
    }

    [Fact]
    public async Task A_line_too_long_to_read_is_reported_skipped_and_still_part_of_the_content()
    {
        var lines = TwoDays();
        var junk = lines.Count / 2;
        var file = _dir.File("junk.json");
        await using (var writer = new StreamWriter(file))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                await writer.WriteLineAsync(i == junk ? new string('x', 17 << 20) : lines[i]);
            }
        }

        using var store = InferenceStore.Open(_dir.File("junk.duckdb"));
        var malformed = new List<MalformedLine>();
        var first = await ImportAsync(store, file, onMalformed: malformed.Add);
        var again = await ImportAsync(store, file);

        var bad = Assert.Single(malformed);
        Assert.Equal(junk + 1, bad.Line);
        Assert.Contains("longer than 16 MiB", bad.Reason, StringComparison.Ordinal);
        Assert.Equal(lines.Count - 1, first.FlowsRead);
        Assert.Equal(lines.Count, again.AlreadyStored?.SkipLines);
        Assert.False(again.AlreadyStored!.MoreAfter);
    }

    [Fact]
    public async Task An_older_export_imported_after_a_newer_one_keeps_its_connections_that_reuse_a_tuple()
    {
        // the newer export ends with a connection whose 5-tuple also appears a day earlier, in the older export
        var connections = HubbleWeek.Connections(days: 2).ToList();
        var last = connections.MaxBy(c => c.Time)!;
        connections.Add(last with { Time = last.Time.AddDays(-1) });
        connections = [.. connections.OrderBy(c => c.Time)];
        var cutoff = HubbleWeek.Start.AddHours(36);
        var expected = await OnceAsync(HubbleWeek.Render(connections).Select(l => l.Json));
        var older = _dir.File("monday.json");
        var newer = _dir.File("tuesday.json");
        await File.WriteAllLinesAsync(older, HubbleWeek.Render(connections.Where(c => c.Time < cutoff)).Select(l => l.Json));
        await File.WriteAllLinesAsync(newer, HubbleWeek.Render(connections.Where(c => c.Time >= cutoff)).Select(l => l.Json));
        using var store = InferenceStore.Open(_dir.File("out-of-order.duckdb"));

        await ImportAsync(store, newer);
        var second = await ImportAsync(store, older);

        Assert.Equal(expected, StoredEdges.Counts(store));
        Assert.Empty(second.SharedCoverage);
    }

    [Fact]
    public async Task A_file_that_differs_after_its_first_lines_is_new_content()
    {
        var lines = TwoDays();
        var file = _dir.File("a.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(_dir.File("differs.duckdb"));
        await ImportAsync(store, file);

        // same first MiB, same length, one line changed near the end: nothing of it may be skipped
        var changed = lines.ToList();
        var line = changed[^10];
        var z = line.IndexOf("Z\"", StringComparison.Ordinal);
        changed[^10] = line[..(z - 1)] + (line[z - 1] == '1' ? '2' : '1') + line[z..];
        Assert.NotEqual(lines[^10], changed[^10]);
        var other = _dir.File("b.json");
        await File.WriteAllLinesAsync(other, changed);
        var second = await ImportAsync(store, other);

        Assert.Null(second.AlreadyStored);
        Assert.Equal(lines.Count, second.Lines);
    }

    /// <summary>Half of two days of traffic exported, then an export from <paramref name="overlap"/> before that one's last flow to the end, imported in turn.</summary>
    private async Task<OverlappingExports> ImportOverlappingExportsAsync(TimeSpan overlap, string name)
    {
        var rendered = HubbleWeek.Render(HubbleWeek.Connections(days: 2));
        var lines = rendered.Select(l => l.Json).ToList();
        var firstEnd = lines.Count / 2;
        var secondStart = rendered.Select((l, i) => (l.Time, i)).First(x => x.Time >= rendered[firstEnd - 1].Time - overlap).i;
        var first = _dir.File($"{name}-1.json");
        await File.WriteAllLinesAsync(first, lines.Take(firstEnd));
        await File.WriteAllLinesAsync(_dir.File($"{name}-2.json"), lines.Skip(secondStart));
        var store = InferenceStore.Open(_dir.File($"{name}.duckdb"));
        await ImportAsync(store, first);
        var second = await ImportAsync(store, _dir.File($"{name}-2.json"));
        return new OverlappingExports(store, first, second, rendered[firstEnd - 1].Time, rendered[secondStart].Time, firstEnd - secondStart, await OnceAsync(lines));
    }

    private sealed record OverlappingExports(InferenceStore Store, string First, IngestSummary Second, DateTimeOffset FirstLast, DateTimeOffset SecondFirst,
        int OverlapLines, IReadOnlyList<string> EdgesOfOneImport);

    [Fact]
    public async Task An_export_that_overlaps_the_last_one_counts_the_overlap_once()
    {
        // two exports taken a little apart: the second starts three minutes before the first ended
        var exports = await ImportOverlappingExportsAsync(TimeSpan.FromMinutes(3), "minutes");
        using var store = exports.Store;

        Assert.True(exports.OverlapLines >= 20, $"an overlap of {exports.OverlapLines} lines");
        Assert.Null(exports.Second.AlreadyStored);
        Assert.True(exports.Second.Duplicates > 0, "the overlap's events are dropped as already stored");
        Assert.Equal(exports.EdgesOfOneImport, StoredEdges.Counts(store));
        Assert.Empty(exports.Second.SharedCoverage);
    }

    [Fact]
    public async Task An_export_that_overlaps_the_last_one_by_hours_says_which_time_is_counted_twice()
    {
        // the second export starts six hours before the first ended: only the first one's last minutes are remembered
        var exports = await ImportOverlappingExportsAsync(TimeSpan.FromHours(6), "hours");
        using var store = exports.Store;

        var shared = Assert.Single(exports.Second.SharedCoverage);
        Assert.Equal("hubble-file:" + exports.First, shared.Source);
        Assert.Equal(exports.SecondFirst, shared.From);
        Assert.Equal(exports.FirstLast - FlowPipeline.Remembered(new IngestOptions { Source = "s", SourceKind = "hubble-file" }), shared.To);
        Assert.Equal(exports.FirstLast, shared.SourceLast);
        Assert.Equal(["kind-worker", "kind-worker2"], shared.Nodes);
        // what it warns about is real: the overlap's connections were counted again
        Assert.NotEqual(exports.EdgesOfOneImport, StoredEdges.Counts(store));
    }

    [Fact]
    public async Task Another_clusters_export_of_the_same_hours_is_not_taken_for_the_same_traffic()
    {
        var lines = TwoDays();
        var a = _dir.File("cluster-a.json");
        var b = _dir.File("cluster-b.json");
        await File.WriteAllLinesAsync(a, lines);
        // the same hours, seen by another cluster's nodes
        await File.WriteAllLinesAsync(b, lines.Select(l => l.Replace("\"kind-worker", "\"gke-pool-1-worker", StringComparison.Ordinal)));
        using var store = InferenceStore.Open(_dir.File("two-clusters.duckdb"));

        await ImportAsync(store, a);
        var second = await ImportAsync(store, b);

        Assert.Null(second.AlreadyStored);
        Assert.Equal(lines.Count, second.FlowsRead);
        Assert.Empty(second.SharedCoverage);
    }
}
