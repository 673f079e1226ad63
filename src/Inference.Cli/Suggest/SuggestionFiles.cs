using System.Text;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;

namespace Inference.Cli.Suggest;

/// <summary>
/// Writes DIR/&lt;namespace&gt;/&lt;workload&gt;.yaml, _default-deny.yaml and _dns.yaml. Names come from flow data, so each
/// path segment is made a DNS-1123 name and the result must stay inside DIR; each file is written to a temp file and
/// moved into place, so a reader never sees half a policy.
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

        var written = new List<string>();
        foreach (var policy in suggestion.Policies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = PathFor(root, policy);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + ".tmp";
            await File.WriteAllTextAsync(temp, PolicyYaml.Render(policy, suggestion.Options.Format), new UTF8Encoding(false), cancellationToken);
            File.Move(temp, path, overwrite: true);
            written.Add(Path.GetRelativePath(root, path));
        }

        return written;
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
