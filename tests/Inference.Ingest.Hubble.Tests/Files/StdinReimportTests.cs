using System.Text;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Ingest.Hubble.Tests.Files;

/// <summary>
/// Content piped to <c>--file -</c> is recognised like a file's: stdin is read once, so what the check reads of it is
/// kept aside and imported from there. Stdin here is a pipe that hands out a few bytes at a time and cannot seek.
/// </summary>
public sealed class StdinReimportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> Days(int days) => [.. HubbleWeek.Render(HubbleWeek.Connections(days)).Select(l => l.Json)];

    private static byte[] Content(IEnumerable<string> lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));

    private static Task<IngestSummary> PipeAsync(InferenceStore store, byte[] content, int seed = 1) =>
        HubbleIngestRunner.ImportFileAsync(store, "-", new IngestOptions { Source = "hubble-file:<stdin>", SourceKind = "hubble-file" },
            bad => Assert.Fail($"no line is malformed: {bad}"), TimeProvider.System, CancellationToken.None, new Trickle(content, seed));

    private async Task<IReadOnlyList<string>> OnceAsync(byte[] content)
    {
        using var store = InferenceStore.Open(_dir.File($"once-{Guid.NewGuid():N}.duckdb"));
        await PipeAsync(store, content);
        return StoredEdges.Counts(store);
    }

    [Fact]
    public async Task A_file_piped_in_after_it_was_imported_is_stored_once()
    {
        var lines = Days(2);
        var content = Content(lines);
        var expected = await OnceAsync(content);
        var file = _dir.File("flows.json");
        await File.WriteAllBytesAsync(file, content);
        using var store = InferenceStore.Open(_dir.File("piped.duckdb"));
        await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "hubble-file:" + file, SourceKind = "hubble-file" }, _ => { }, TimeProvider.System, default);

        var piped = await PipeAsync(store, content);

        Assert.NotNull(piped.AlreadyStored);
        Assert.False(piped.AlreadyStored.MoreAfter);
        Assert.Equal(lines.Count, piped.AlreadyStored.SkipLines);
        Assert.Equal(0, piped.FlowsRead);
        Assert.Equal(expected, StoredEdges.Counts(store));
    }

    [Fact]
    public async Task Piped_content_that_grew_since_it_was_piped_in_adds_only_what_follows()
    {
        // more than the 1 MiB head: the check reads (and keeps aside) several MiB before it knows
        var lines = Days(7);
        var all = Content(lines);
        Assert.True(all.Length > 3 << 20, $"the content is {all.Length} bytes");
        var expected = await OnceAsync(all);
        var firstPart = lines.Count * 2 / 3;
        using var store = InferenceStore.Open(_dir.File("grown.duckdb"));
        var first = await PipeAsync(store, Content(lines.Take(firstPart)), seed: 2);

        var rest = await PipeAsync(store, all, seed: 3);

        Assert.Null(first.AlreadyStored);
        Assert.NotNull(rest.AlreadyStored);
        Assert.True(rest.AlreadyStored.MoreAfter);
        Assert.Equal(firstPart, rest.AlreadyStored.SkipLines);
        Assert.Equal(lines.Count, rest.Lines);
        Assert.Equal(expected, StoredEdges.Counts(store));
    }

    [Fact]
    public async Task Piped_content_that_only_starts_like_an_earlier_import_is_imported_whole_from_what_the_check_kept()
    {
        // the same first MiB, then a changed line: new content, and every byte the check read must reach the import
        var lines = Days(7);
        var changed = lines.ToList();
        var at = changed.Count * 3 / 4;
        changed[at] = changed[at].Replace("\"uuid\":\"", "\"uuid\":\"0", StringComparison.Ordinal);
        Assert.NotEqual(lines[at], changed[at]);
        using var store = InferenceStore.Open(_dir.File("changed.duckdb"));
        await PipeAsync(store, Content(lines), seed: 4);
        using var fresh = InferenceStore.Open(_dir.File("fresh.duckdb"));
        var alone = await PipeAsync(fresh, Content(changed), seed: 5);

        var piped = await PipeAsync(store, Content(changed), seed: 6);

        Assert.Null(piped.AlreadyStored);
        Assert.Equal(changed.Count, piped.Lines);
        Assert.Equal(alone.FlowsRead, piped.FlowsRead);
        Assert.Equal(0, alone.Malformed + piped.Malformed);
    }

    /// <summary>A pipe: a few bytes per read, no length, no seeking.</summary>
    private sealed class Trickle(byte[] content, int seed) : ReadOnlyStream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, content.Length - _position), _random.Next(1, 70_000));
            content.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));
    }
}
