using System.Text;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;

namespace Inference.Cli.Suggest;

/// <summary>
/// Writes DIR/&lt;namespace&gt;/&lt;workload&gt;.yaml, _default-deny.yaml and _dns.yaml. Names come from flow data, so each
/// path segment is made a DNS-1123 name and the result must stay inside DIR; each file is written to a temp file and
/// moved into place, so a reader never sees half a policy. Files are rendered and written in parallel; the list of
/// written files keeps the policies' order.
/// </summary>
internal static class SuggestionFiles
{
    public static async Task<IReadOnlyList<string>> WriteAsync(string directory, Suggestion suggestion, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(directory);
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--out {directory}: cannot create the directory: {ex.Message}", 1, ex);
        }

        // every path checked before the first byte is written; then rendered and written on every core, listed in policy order
        var policies = suggestion.Policies;
        var paths = policies.Select(p => PathFor(root, p)).ToArray();
        if (paths.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            // names are made unique per namespace; two writers on one file would be a bug, never a silent overwrite
            throw new CliException($"bug: two policies would be written to {clash.Key}");
        }

        foreach (var folder in paths.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
        {
            Directory.CreateDirectory(folder!);
        }

        var encoding = new UTF8Encoding(false);
        await Parallel.ForAsync(0, policies.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, token) =>
            {
                var temp = paths[i] + ".tmp";
                await File.WriteAllTextAsync(temp, PolicyYaml.Render(policies[i], suggestion.Options.Format), encoding, token);
                File.Move(temp, paths[i], overwrite: true);
            });
        return [.. paths.Select(p => Path.GetRelativePath(root, p))];
    }

    /// <summary>The file of a policy under <paramref name="root"/>; throws when a name would escape it (never expected: names are sanitized).</summary>
    public static string PathFor(string root, SuggestedPolicy policy)
    {
        var ns = PolicyNames.Safe(policy.Namespace);
        var file = policy.FileName is PolicyNames.DnsFile or PolicyNames.DefaultDenyFile ? policy.FileName : PolicyNames.Safe(Path.GetFileNameWithoutExtension(policy.FileName)) + ".yaml";
        var full = Path.GetFullPath(Path.Combine(root, ns, file));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new CliException($"refusing to write {full}: outside {root}");
        }

        return full;
    }
}
