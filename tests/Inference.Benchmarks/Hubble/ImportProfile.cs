using System.Diagnostics;
using Inference.Core.Connections;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Json;
using static Inference.Benchmarks.Hubble.BenchSupport;

namespace Inference.Benchmarks.Hubble;

/// <summary>Where a file import's time goes: the same file read and split, then decoded, then decoded and tracked, each timed.</summary>
internal static class ImportProfile
{
    public static void Run(TextWriter output, string path)
    {
        var read = Stage(path, _ => { });
        var scan = Stage(path, line =>
        {
            // the floor any Utf8JsonReader-based decoder pays: every token of the line, nothing kept
            var reader = new System.Text.Json.Utf8JsonReader(line);
            while (reader.Read())
            {
            }
        });
        var decoder = new HubbleJsonDecoder();
        var decode = Stage(path, line => decoder.Decode(line));
        var decoder2 = new HubbleJsonDecoder();
        var tracker = new ConnectionTracker();
        var closed = new List<Connection>();
        var track = Stage(path, line =>
        {
            var r = decoder2.Decode(line);
            if (r.Kind == ResponseKind.Flow)
            {
                tracker.Add(r.Flow!, closed);
                closed.Clear();
            }
        });
        output.WriteLine($"   profile (cpu): read+split {S(read)}, +json token scan alone {S(scan - read)}, +json decode {S(decode - read)}, +connection tracking {S(track - decode)} (the rest of ours is aggregation and the DuckDB writer)");
    }

    private delegate void LineAction(ReadOnlySpan<byte> line);

    private static TimeSpan Stage(string path, LineAction action)
    {
        var cpu = ProcessCpu();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        var filled = 0;
        int n;
        while ((n = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
        {
            filled += n;
            var span = buffer.AsSpan(0, filled);
            var consumed = 0;
            int nl;
            while ((nl = span[consumed..].IndexOf((byte)'\n')) >= 0)
            {
                action(span.Slice(consumed, nl));
                consumed += nl + 1;
            }

            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
        }

        _ = Stopwatch.GetTimestamp();
        return ProcessCpu() - cpu;
    }
}

/// <summary>HubbleIngestRunner.ImportFileAsync's steps, each timed (wall).</summary>
internal static class ImportSteps
{
    /// <summary>Runs the import again, warm, step by step; returns its whole wall time.</summary>
    public static async Task<TimeSpan> RunAsync(TextWriter output, string path, string db)
    {
        var w = Stopwatch.StartNew();
        using var store = Inference.Store.InferenceStore.Open(db);
        var open = w.Elapsed;
        await using var writer = new Inference.Store.Writing.StoreWriter(store);
        var options = new Inference.Ingest.Hubble.Pipeline.IngestOptions { Source = path, SourceKind = "hubble-file" };
        var pipeline = new Inference.Ingest.Hubble.Pipeline.FlowPipeline(options, writer, TimeProvider.System);
        var importer = new Inference.Ingest.Hubble.Files.HubbleFileImporter(pipeline);
        await using (var input = Inference.Ingest.Hubble.Files.HubbleFileImporter.Open(path))
        {
            await importer.ImportAsync(input, path, _ => { }, CancellationToken.None);
        }

        var import = w.Elapsed;
        await pipeline.FlushAsync(final: true, CancellationToken.None);
        var flush = w.Elapsed;
        await writer.CompleteAsync();
        var complete = w.Elapsed;
        store.Checkpoint();
        var checkpoint = w.Elapsed;
        output.WriteLine($"   steps (wall, warm): open {S(open)}, read+decode+track+aggregate {S(import - open)}, final flush {S(flush - import)}, writer drain {S(complete - flush)} ({writer.BatchesWritten} batches), checkpoint {S(checkpoint - complete)}; total {S(checkpoint)}");
        return checkpoint;
    }
}
