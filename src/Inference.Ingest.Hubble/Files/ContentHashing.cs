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
        var part = chunk[..whole];
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

        var bytes = Prefix.Bytes + whole;
        var hash = ImportedContent.Hex(_all);
        Prefix = new ContentPrefix(bytes, whole == chunk.Length ? lastLine : lastLine - 1, hash, bytes <= ImportedContent.HeadBytes ? hash : _headHash!);
        _stopped = whole < chunk.Length;
        return Prefix;
    }

    /// <summary>Stops at a line that could not be read whole (too long): what follows is no continuation of the prefix.</summary>
    public void Stop() => _stopped = true;
}
