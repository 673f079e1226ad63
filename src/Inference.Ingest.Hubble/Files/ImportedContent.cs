using System.IO.Hashing;
using Inference.Store.Writing;

namespace Inference.Ingest.Hubble.Files;

/// <summary>
/// How much of a file earlier imports already stored. <paramref name="Import"/>: the longest complete import whose content
/// this file starts with (its lines are skipped); <paramref name="MoreAfter"/>: the file goes on past it.
/// <paramref name="Unfinished"/>: a longer import of this content whose process died before it finished: the connections
/// it closed are stored, those still open then are not (see <see cref="ImportedFileRecord.ResumeFromNs"/>).
/// </summary>
public sealed record StoredPrefix(ImportedFileRecord? Import, bool MoreAfter, ImportedFileRecord? Unfinished = null)
{
    /// <summary>Lines no earlier import left anything of to read: the complete import's.</summary>
    public long SkipLines => Import?.Lines ?? 0;

    /// <summary>True when the file holds nothing an earlier import did not finish.</summary>
    public bool NothingNew => Import is not null && !MoreAfter && Unfinished is null;
}

/// <summary>
/// Recognises content an earlier import stored: a re-run, the rest of an interrupted import, or a file that grew since
/// (<c>hubble observe -f &gt; file</c>). Imports are compared by the XxHash128 of the whole lines they read, so a
/// changed line anywhere in the prefix makes it new content.
/// </summary>
public static class ImportedContent
{
    /// <summary>Candidates are found by the hash of their first MiB; only those are hashed in full.</summary>
    public const int HeadBytes = 1 << 20;

    public static string Hex(XxHash128 hash) => Convert.ToHexStringLower(hash.GetCurrentHash());

    /// <summary>The longest earlier imports (complete, and unfinished beyond it) this file starts with, or null when none matches.</summary>
    public static async Task<StoredPrefix?> FindAsync(string path, IReadOnlyList<ImportedFileRecord> imports, CancellationToken cancellationToken)
    {
        if (imports.Count == 0)
        {
            return null;
        }

        await using var input = HubbleFileImporter.Open(path);
        return await FindAsync(input, imports, cancellationToken);
    }

    /// <summary>The same, reading <paramref name="input"/> from its start (as far as the candidates need; it is not closed).</summary>
    public static async Task<StoredPrefix?> FindAsync(Stream input, IReadOnlyList<ImportedFileRecord> imports, CancellationToken cancellationToken)
    {
        if (imports.Count == 0)
        {
            return null;
        }

        var head = new byte[HeadBytes];
        var headLength = await input.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        var candidates = imports
            .Where(i => i.Bytes > 0 && Math.Min(i.Bytes, HeadBytes) <= headLength && Convert.ToHexStringLower(XxHash128.Hash(head.AsSpan(0, (int)Math.Min(i.Bytes, HeadBytes)))) == i.HeadHash)
            .OrderBy(i => i.Bytes)
            .ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        // one pass over the file, checking each candidate's hash where its prefix ends
        var hash = new XxHash128();
        ImportedFileRecord? longest = null, unfinished = null;
        long offset = 0;
        var buffer = head;
        var length = headLength;
        var next = 0;
        while (next < candidates.Count)
        {
            var used = 0;
            while (next < candidates.Count && candidates[next].Bytes <= offset + length)
            {
                var upTo = (int)(candidates[next].Bytes - offset);
                hash.Append(buffer.AsSpan(used, upTo - used));
                used = upTo;
                if (Hex(hash) == candidates[next].PrefixHash)
                {
                    // ordered by length: the last match of each kind is the longest
                    if (candidates[next].Complete)
                    {
                        longest = candidates[next];
                    }
                    else
                    {
                        unfinished = candidates[next];
                    }
                }

                next++;
            }

            hash.Append(buffer.AsSpan(used, length - used));
            offset += length;
            if (next == candidates.Count)
            {
                break;
            }

            buffer = buffer == head ? new byte[HeadBytes] : buffer;
            length = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            if (length == 0)
            {
                break;
            }
        }

        if (unfinished is not null && unfinished.Lines <= (longest?.Lines ?? 0))
        {
            // a complete import covers what the unfinished one read
            unfinished = null;
        }

        if (longest is null && unfinished is null)
        {
            return null;
        }

        // anything after the complete prefix is content to import
        var more = longest is null || offset > longest.Bytes || await input.ReadAsync(new byte[1], cancellationToken) > 0;
        return new StoredPrefix(longest, more, unfinished);
    }
}
