using System.IO.Compression;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Json;
using Inference.Ingest.Hubble.Pipeline;

namespace Inference.Ingest.Hubble.Files;

/// <summary>A line of an import that could not be read, and why. The rest of the file is still imported.</summary>
public sealed record MalformedLine(string Path, long Line, string Reason)
{
    public override string ToString() => $"{Path}:{Line}: {Reason}";
}

/// <summary>Imports what <c>hubble observe -o jsonpb</c> / <c>-o json</c> printed: a file, <c>.gz</c>, or stdin (<c>-</c>).</summary>
public sealed class HubbleFileImporter(FlowPipeline pipeline)
{
    private const int MaxLine = 16 * 1024 * 1024;
    private readonly HubbleJsonDecoder _decoder = new();

    public long Lines { get; private set; }
    public long Malformed { get; private set; }

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
        var buffer = new byte[1 << 20];
        var filled = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (filled == buffer.Length)
            {
                if (buffer.Length >= MaxLine)
                {
                    // a line longer than any flow: report it and resynchronise at the next newline
                    Lines++;
                    Malformed++;
                    onMalformed(new MalformedLine(displayPath, Lines, $"line longer than {MaxLine / (1024 * 1024)} MiB"));
                    filled = await SkipToNewlineAsync(input, buffer, cancellationToken);
                    continue;
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                if (filled > 0)
                {
                    ProcessLine(buffer.AsSpan(0, filled), displayPath, onMalformed);
                }

                break;
            }

            filled += read;
            var consumed = ProcessLines(buffer.AsSpan(0, filled), displayPath, onMalformed);
            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            if (pipeline.FlushDue)
            {
                await pipeline.FlushAsync(final: false, cancellationToken);
            }
        }
    }

    private int ProcessLines(ReadOnlySpan<byte> data, string displayPath, Action<MalformedLine> onMalformed)
    {
        var consumed = 0;
        while (true)
        {
            var newline = data[consumed..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return consumed;
            }

            ProcessLine(data.Slice(consumed, newline), displayPath, onMalformed);
            consumed += newline + 1;
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line, string displayPath, Action<MalformedLine> onMalformed)
    {
        Lines++;
        line = line.TrimEnd("\r "u8).TrimStart(" \t"u8);
        if (line.IsEmpty)
        {
            return;
        }

        DecodedResponse response;
        try
        {
            response = _decoder.Decode(line);
        }
        catch (HubbleDecodeException ex)
        {
            Malformed++;
            onMalformed(new MalformedLine(displayPath, Lines, ex.Message));
            return;
        }

        pipeline.Accept(response, line);
    }

    private static async Task<int> SkipToNewlineAsync(Stream input, byte[] buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await input.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return 0;
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            if (newline >= 0)
            {
                Buffer.BlockCopy(buffer, newline + 1, buffer, 0, read - newline - 1);
                return read - newline - 1;
            }
        }
    }
}
