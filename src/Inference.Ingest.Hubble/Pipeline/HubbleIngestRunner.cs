using Inference.Core.Activity;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Relay;
using Inference.Store;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Hubble.Pipeline;

/// <summary>What one ingest run did.</summary>
public sealed record IngestSummary(string Source, long Lines, long Malformed, long FlowsRead, long Connections, long Duplicates, long LostEvents, string StopReason)
{
    /// <summary>File import: the first lines, which an earlier import of the same content already stored (not read again).</summary>
    public StoredPrefix? AlreadyStored { get; init; }

    /// <summary>Why the input could not be read to its end (a damaged .gz, a read error); what came before is stored.</summary>
    public string? Failure { get; init; }

    /// <summary>Lines an unfinished earlier import had stored, read again only to finish the connections it left open.</summary>
    public long Replayed { get; init; }

    /// <summary>
    /// Time this run's flows fall in that an earlier source already covered from the same nodes, where the connections
    /// both saw were not recognised: counted twice if both are the same traffic.
    /// </summary>
    public IReadOnlyList<SharedCoverage> SharedCoverage { get; init; } = [];
}

/// <summary>Runs a file import or a relay follow against a store: one pipeline, one writer, one final flush.</summary>
public static class HubbleIngestRunner
{
    /// <param name="stdin">What <paramref name="path"/> <c>-</c> reads (the process's standard input when null).</param>
    public static async Task<IngestSummary> ImportFileAsync(InferenceStore store, string path, IngestOptions options,
        Action<MalformedLine> onMalformed, TimeProvider time, CancellationToken cancellationToken, Stream? stdin = null)
    {
        // the same content imported again (a re-run, an interrupted import, a file that grew) would be counted twice:
        // the lines an earlier import stored are skipped. Standard input is read once: what the check reads of it is
        // kept aside and imported from there.
        await using var standardInput = path == "-" ? new RewindableInput(stdin ?? Console.OpenStandardInput()) : null;
        StoredPrefix? stored;
        if (standardInput is not null)
        {
            stored = await ImportedContent.FindAsync(standardInput, store.Reads.ImportedFiles(), cancellationToken);
            standardInput.Rewind();
        }
        else
        {
            stored = await ImportedContent.FindAsync(path, store.Reads.ImportedFiles(), cancellationToken);
        }

        if (stored is { NothingNew: true })
        {
            return new IngestSummary(options.Source, stored.SkipLines, 0, 0, 0, 0, 0, "already imported: nothing new") { AlreadyStored = stored };
        }

        var earlier = EarlierCoverage.ForFileImport(store, options);
        await using var writer = new StoreWriter(store);
        var pipeline = new FlowPipeline(options, writer, time);
        // connections earlier imports stored near their end: an export that overlaps one (or continues it) must not count them again
        pipeline.Resume(new ResumeStateView(null, null, store.Reads.RecentConnectionsOfKind(options.SourceKind)));
        var unfinished = stored?.Unfinished;
        var skip = stored?.SkipLines ?? 0;
        var importer = new HubbleFileImporter(pipeline)
        {
            KeepRawLines = options.KeepRaw > 0,
            SkipLines = skip,
            Replay = unfinished is null ? null : (unfinished.Lines, unfinished.ResumeFromNs ?? long.MinValue),
            // progress with every batch: if this process dies, a re-run knows what its batches stored (while it only
            // re-reads what an unfinished import read, that import's progress row stays the one that says so)
            BeforeFlush = read =>
            {
                if (read.Lines > skip && read.Lines > (unfinished?.Lines ?? 0))
                {
                    pipeline.Attach(Record(options, read, time, complete: false));
                }
            },
        };
        var stopReason = "end of input";
        string? failure = null;
        var display = HubbleFileImporter.DisplayName(path);
        // a file is opened for the import and closed after it; standard input is the one the check read (closed above)
        await using (var file = standardInput is null ? HubbleFileImporter.Open(path) : null)
        {
            try
            {
                await importer.ImportAsync(file ?? standardInput!, display, onMalformed, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: keep what was read
                stopReason = "interrupted";
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                // a damaged .gz or a failing disk: keep what was read before it, then say where it stopped
                stopReason = "unreadable input";
                failure = $"{display}: could not be read after line {importer.Lines}: {ex.Message}";
            }
        }

        var accepted = importer.Accepted;
        if (accepted.Lines > skip)
        {
            // in the last batch's transaction: recorded exactly when what it describes is stored
            pipeline.Attach(Record(options, accepted, time, complete: true));
        }

        await pipeline.FlushAsync(final: true, CancellationToken.None);
        await writer.CompleteAsync();
        store.Checkpoint();
        return new IngestSummary(options.Source, importer.Lines, importer.Malformed, pipeline.FlowsRead, pipeline.Connections, pipeline.Duplicates, pipeline.LostEvents, stopReason)
        {
            AlreadyStored = stored,
            Failure = failure,
            Replayed = importer.Replayed,
            SharedCoverage = earlier.SharedWith(pipeline),
        };
    }

    private static ImportedFileRecord Record(IngestOptions options, ContentPrefix read, TimeProvider time, bool complete) =>
        new(options.Source, read.Bytes, read.Lines, read.HeadHash, read.Hash, time.GetUtcNow(), complete);

    public static async Task<IngestSummary> FollowRelayAsync(InferenceStore store, RelayOptions relay, IngestOptions options,
        ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var resume = ResumeStateView.From(store, options.Source);
        var earlier = EarlierCoverage.ForRelay(store, options);
        await using var writer = new StoreWriter(store);
        var pipeline = new FlowPipeline(options, writer, time);
        var ingester = new HubbleRelayIngester(relay, pipeline, logger, time);
        var reason = await ingester.RunAsync(resume, cancellationToken);
        await writer.CompleteAsync();
        store.Checkpoint();
        if (ingester.MessagesReceived == 0 && reason is RelayStopReason.Duration or RelayStopReason.IdleTimeout)
        {
            // a script asked for a bounded run and got nothing: that is an error, not an empty success
            throw new RelayException($"no response from Hubble Relay {relay.Address} before the {(reason == RelayStopReason.Duration ? "duration" : "idle timeout")} ran out: {ingester.LastError ?? "no connection"}; nothing was stored");
        }

        var stop = reason switch
        {
            RelayStopReason.Duration => "duration reached",
            RelayStopReason.IdleTimeout => "idle timeout",
            _ => "interrupted",
        };
        return new IngestSummary(options.Source, 0, 0, pipeline.FlowsRead, pipeline.Connections, pipeline.Duplicates, pipeline.LostEvents, stop)
        {
            SharedCoverage = earlier.SharedWith(pipeline),
        };
    }
}
