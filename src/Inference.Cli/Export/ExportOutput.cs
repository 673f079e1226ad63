namespace Inference.Cli.Export;

/// <summary>What <c>inference export</c> prints: the branch, the commit or "unchanged", the files, the next commands.</summary>
internal static class ExportOutput
{
    public static async Task WriteAsync(TextWriter output, ExportResult r)
    {
        if (r.Unchanged)
        {
            await output.WriteLineAsync($"branch {r.Branch} (from {r.Base}): unchanged, no commit (the policies in it already match)");
        }
        else
        {
            await output.WriteLineAsync($"branch {r.Branch} (from {r.Base}): commit {r.Commit![..12]}: {r.Added.Count} added, {r.Changed.Count} changed, {r.Removed.Count} removed");
            foreach (var (mark, list) in new[] { ("A", r.Added), ("M", r.Changed), ("D", r.Removed) })
            {
                foreach (var f in list)
                {
                    await output.WriteLineAsync($"  {mark} {f}");
                }
            }
        }

        foreach (var s in r.Skipped)
        {
            await output.WriteLineAsync($"  skipped {s}: exists without the managed-by header");
        }

        if (r.PullRequestUrl is { Length: > 0 } url)
        {
            await output.WriteLineAsync($"pull request: {url}");
        }

        if (r.NextCommands.Count > 0)
        {
            await output.WriteLineAsync("to publish it:");
            foreach (var c in r.NextCommands)
            {
                await output.WriteLineAsync("  " + c);
            }
        }
    }
}
