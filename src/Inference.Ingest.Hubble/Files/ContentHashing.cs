using System.IO.Hashing;

namespace Inference.Ingest.Hubble.Files;

/// <summary>The whole lines read from the start of an input: how many, how many bytes, their hash and the hash of the first MiB.</summary>
public sealed record ContentPrefix(long Bytes, long Lines, string Hash, string HeadHash)
{
    public static readonly ContentPrefix Empty = new(0, 0, "", "");
}

/// <summary>
/// Hashes an input's whole lines as they are read, so an import can record exactly what it stored (see
/// <see cref="ImportedContent"/>). A last line without its newline is not whole: a file still being written may finish it.
/// </summary>
internal sealed class ContentHashing
{
    private readonly XxHash128 _all = new();
    private readonly XxHash128 _head = new();
    private long _headBytes;
    private long _added;
    private string? _headHash;
    private bool _stopped;

    public ContentPrefix Prefix { get; private set; } = ContentPrefix.Empty;

    /// <summary>Adds the next chunk (ending at line <paramref name="lastLine"/>) and returns the prefix after it.</summary>
    public ContentPrefix Append(ReadOnlySpan<byte> chunk, long lastLine)
    {
        if (_stopped || chunk.IsEmpty)
        {
            return Prefix;
        }

        var whole = chunk[^1] == '\n' ? chunk.Length : chunk.LastIndexOf((byte)'\n') + 1;
        Add(chunk[..whole]);
        Mark(whole == chunk.Length ? lastLine : lastLine - 1);
        _stopped = whole < chunk.Length;
        return Prefix;
    }

    /// <summary>Adds bytes of a line too long to decode: skipped, but part of the content.</summary>
    public void Add(ReadOnlySpan<byte> part)
    {
        if (_stopped)
        {
            return;
        }

        _all.Append(part);
        if (_headBytes < ImportedContent.HeadBytes)
        {
            var take = (int)Math.Min(part.Length, ImportedContent.HeadBytes - _headBytes);
            _head.Append(part[..take]);
            _headBytes += take;
            if (_headBytes == ImportedContent.HeadBytes)
            {
                _headHash = ImportedContent.Hex(_head);
            }
        }

        _added += part.Length;
    }

    /// <summary>Ends the prefix at line <paramref name="line"/>, after the bytes added so far.</summary>
    public ContentPrefix Mark(long line)
    {
        if (!_stopped)
        {
            var hash = ImportedContent.Hex(_all);
            Prefix = new ContentPrefix(_added, line, hash, _added <= ImportedContent.HeadBytes ? hash : _headHash!);
        }

        return Prefix;
    }

    /// <summary>Stops at a line that never ended (the input did): nothing after it continues the prefix.</summary>
    public void Stop() => _stopped = true;
}
