using System.Buffers;
using System.IO.Compression;
using System.Threading.Channels;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Json;
using Inference.Ingest.Hubble.Pipeline;

namespace Inference.Ingest.Hubble.Files;

/// <summary>A line of an import that could not be read, and why. The rest of the file is still imported.</summary>
public sealed record MalformedLine(string Path, long Line, string Reason)
{
    public override string ToString() => $"{Path}:{Line}: {Reason}";
}

/// <summary>
/// Imports what <c>hubble observe -o jsonpb</c> / <c>-o json</c> printed: a file, <c>.gz</c>, or stdin (<c>-</c>).
/// The file is cut into line-aligned chunks that are decoded on every core; the decoded chunks are then fed to the
/// pipeline strictly in file order, so the result is the same as a single-threaded read.
/// </summary>
public sealed class HubbleFileImporter(FlowPipeline pipeline)
{
    private const int ChunkSize = 1 << 20;
    private const int MaxLine = 16 * 1024 * 1024;
    private readonly int _workers = Math.Max(1, Environment.ProcessorCount);

    public long Lines { get; private set; }
    public long Malformed { get; private set; }

    /// <summary>Raw lines are handed to the pipeline only when it keeps them (<c>--keep-raw</c>).</summary>
    public bool KeepRawLines { get; init; }

    /// <summary>Lines an earlier import of the same content already stored: read (and hashed), not decoded.</summary>
    public long SkipLines { get; init; }

    /// <summary>
    /// Lines an import that died before finishing read and stored all but the still-open connections of: read again only
    /// to finish those (events before <c>FromNs</c> are stored already; see <see cref="FlowPipeline.Replay"/>).
    /// </summary>
    public (long ThroughLine, long FromNs)? Replay { get; init; }

    /// <summary>Lines read again under <see cref="Replay"/>.</summary>
    public long Replayed { get; private set; }

    /// <summary>Called with what has been read before each flush that is not the last (a file import records its progress).</summary>
    public Action<ContentPrefix>? BeforeFlush { get; init; }

    /// <summary>The whole lines handed to the pipeline so far, from the start of the input: how many, their bytes and hash.</summary>
    public ContentPrefix Accepted { get; private set; } = ContentPrefix.Empty;

    /// <summary>How messages name the input: the path, or <c>&lt;stdin&gt;</c> for <c>-</c>.</summary>
    public static string DisplayName(string path) => path == "-" ? "<stdin>" : path;

    public static Stream Open(string path)
    {
        if (path == "-")
        {
            return Console.OpenStandardInput();
        }

        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>Reads every line; malformed ones go to <paramref name="onMalformed"/> with their line number.</summary>
    public async Task ImportAsync(Stream input, string displayPath, Action<MalformedLine> onMalformed, CancellationToken cancellationToken)
    {
        // decoded chunks in file order; bounded so a slow store slows the reader instead of filling memory
        var ordered = Channel.CreateBounded<Task<DecodedChunk>>(new BoundedChannelOptions(_workers * 2) { SingleReader = true, SingleWriter = true });
        var decoders = new DecoderPool(_workers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(() => ReadChunksAsync(input, ordered.Writer, decoders, displayPath, stop.Token), CancellationToken.None);
        try
        {
            await foreach (var pending in ordered.Reader.ReadAllAsync(cancellationToken))
            {
                // ReadAllAsync checks the token only when it has to wait: decoded chunks queue up faster than they are stored
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = await pending;
                foreach (var item in chunk.Items)
                {
                    if (item.Error is { } error)
                    {
                        Malformed++;
                        onMalformed(error);
                    }
                    else if (Replay is { } replay && item.Line <= replay.ThroughLine)
                    {
                        Replayed++;
                        pipeline.Replay(item.Response, replay.FromNs);
                    }
                    else
                    {
                        pipeline.Accept(item.Response, item.Raw);
                    }
                }

                Lines = chunk.LastLine;
                Accepted = chunk.Prefix;
                if (pipeline.FlushDue)
                {
                    BeforeFlush?.Invoke(Accepted);
                    await pipeline.FlushAsync(final: false, cancellationToken);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await reader;
            }
            catch (OperationCanceledException)
            {
                // the reader stops with the import
            }
        }
    }

    private async Task ReadChunksAsync(Stream input, ChannelWriter<Task<DecodedChunk>> ordered, DecoderPool decoders, string displayPath, CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[ChunkSize];
            var filled = 0;
            long line = 0;
            var hashing = new ContentHashing();
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxLine)
                    {
                        // a line longer than any flow: report it and resynchronise at the next newline
                        line++;
                        var lineNo = line;
                        hashing.Add(buffer);
                        filled = await SkipToNewlineAsync(input, buffer, hashing, cancellationToken);
                        List<DecodedItem> tooLong = lineNo <= SkipLines ? [] : [new DecodedItem(lineNo, default, null, new MalformedLine(displayPath, lineNo, $"line longer than {MaxLine / (1024 * 1024)} MiB"))];
                        await ordered.WriteAsync(Task.FromResult(new DecodedChunk(tooLong, lineNo, hashing.Mark(lineNo))), cancellationToken);
                        continue;
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                var end = read == 0 ? filled : buffer.AsSpan(0, filled + read).LastIndexOf((byte)'\n') + 1;
                filled += read;
                if (end <= 0 && read > 0)
                {
                    continue;
                }

                if (end > 0)
                {
                    // hand the complete lines to a decoder in a pooled copy (a fresh 1 MiB array per chunk would be a
                    // large-object allocation, and hundreds of them force full collections); keep the partial last line
                    var length = end;
                    var chunk = ArrayPool<byte>.Shared.Rent(length);
                    buffer.AsSpan(0, length).CopyTo(chunk);
                    var firstLine = line + 1;
                    line += chunk.AsSpan(0, length).Count((byte)'\n') + (read == 0 && chunk[length - 1] != '\n' ? 1 : 0);
                    var lastLine = line;
                    var prefix = hashing.Append(chunk.AsSpan(0, length), lastLine);
                    var skip = SkipLines;
                    await ordered.WriteAsync(Task.Run(() => decoders.Decode(chunk, length, (firstLine, lastLine, skip), prefix, displayPath, KeepRawLines), cancellationToken), cancellationToken);
                    Buffer.BlockCopy(buffer, end, buffer, 0, filled - end);
                    filled -= end;
                }

                if (read == 0)
                {
                    break;
                }
            }
        }
        finally
        {
            ordered.TryComplete();
        }
    }

    /// <summary>Reads past the rest of a line too long to decode (hashing it); returns how much of the buffer holds what follows.</summary>
    private static async Task<int> SkipToNewlineAsync(Stream input, byte[] buffer, ContentHashing hashing, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                // the input ended inside the line: it is not whole, and nothing follows it
                hashing.Stop();
                return 0;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            if (newline >= 0)
            {
                hashing.Add(buffer.AsSpan(0, newline + 1));
                Buffer.BlockCopy(buffer, newline + 1, buffer, 0, read - newline - 1);
                return read - newline - 1;
            }

            hashing.Add(buffer.AsSpan(0, read));
        }
    }

    private readonly record struct DecodedItem(long Line, DecodedResponse Response, string? Raw, MalformedLine? Error);

    private sealed record DecodedChunk(List<DecodedItem> Items, long LastLine, ContentPrefix Prefix);

    /// <summary>Decoders cache endpoints and strings and are not thread-safe: each worker borrows its own.</summary>
    private sealed class DecoderPool(int size)
    {
        private readonly System.Collections.Concurrent.ConcurrentBag<HubbleJsonDecoder> _free = new(Enumerable.Range(0, size).Select(_ => new HubbleJsonDecoder()));

        /// <summary>Decodes the lines of a pooled chunk and returns the chunk to the pool (nothing decoded refers to it).</summary>
        public DecodedChunk Decode(byte[] chunk, int length, (long First, long Last, long SkipThrough) lines, ContentPrefix prefix, string displayPath, bool keepRaw)
        {
            var decoder = _free.TryTake(out var d) ? d : new HubbleJsonDecoder();
            try
            {
                var items = new List<DecodedItem>(length / 512);
                var rest = chunk.AsSpan(0, length);
                var lineNo = lines.First;
                while (!rest.IsEmpty)
                {
                    var newline = rest.IndexOf((byte)'\n');
                    var line = newline < 0 ? rest : rest[..newline];
                    rest = newline < 0 ? [] : rest[(newline + 1)..];
                    line = line.TrimEnd("\r "u8).TrimStart(" \t"u8);
                    if (!line.IsEmpty && lineNo > lines.SkipThrough)
                    {
                        try
                        {
                            items.Add(new DecodedItem(lineNo, decoder.Decode(line), keepRaw ? System.Text.Encoding.UTF8.GetString(line) : null, null));
                        }
                        catch (HubbleDecodeException ex)
                        {
                            items.Add(new DecodedItem(lineNo, default, null, new MalformedLine(displayPath, lineNo, ex.Message)));
                        }
                    }

                    lineNo++;
                }

                return new DecodedChunk(items, lines.Last, prefix);
            }
            finally
            {
                _free.Add(decoder);
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }
}
