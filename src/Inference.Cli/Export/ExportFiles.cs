using System.Text;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;
using Inference.Core.Review;

namespace Inference.Cli.Export;

/// <summary>
/// The files an export owns: <c>SUBDIR/&lt;namespace&gt;/&lt;workload&gt;.yaml</c>, a <c>kustomization.yaml</c> per namespace and
/// one at <c>SUBDIR</c> listing the namespaces. Each starts with <see cref="ManagedHeader"/>; a file without it is
/// never written over or deleted. Paths use '/' and are built from DNS-1123-safe segments only.
/// </summary>
internal static class ExportFiles
{
    public const string ManagedHeader = "# Managed by Inference (inference export): regenerated on every export, edits are overwritten. Remove this line to take the file over.";

    public static bool IsManaged(string content) => content.StartsWith(ManagedHeader, StringComparison.Ordinal);

    /// <summary>Validates <c>--path</c>: relative, no '..', no empty or hidden segments; returns it with '/' separators.</summary>
    public static string Subdirectory(string path)
    {
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (Path.IsPathRooted(path) || segments.Length == 0 || segments.Any(s => s is "." or ".." || s.StartsWith('.')))
        {
            throw new CliException($"--path {path}: must be a relative directory inside the repository (no '..', no hidden directories such as .git)");
        }

        return string.Join('/', segments);
    }

    public static SortedDictionary<string, string> Build(IEnumerable<PolicyReview> reviews, SuggestFormat format, string subdirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var byNamespace = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var review in reviews.Where(r => r.Exported))
        {
            var policy = review.Policy;
            var ns = PolicyNames.Safe(policy.Namespace);
            var file = policy.FileName is PolicyNames.DnsFile or PolicyNames.DefaultDenyFile
                ? policy.FileName
                : PolicyNames.Safe(Path.GetFileNameWithoutExtension(policy.FileName)) + ".yaml";
            if (!byNamespace.TryGetValue(ns, out var set))
            {
                byNamespace[ns] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(file);
            files[$"{subdirectory}/{ns}/{file}"] = ManagedHeader + "\n" + ReviewComments(review) + PolicyYaml.Render(review.Written, format);
        }

        foreach (var (ns, set) in byNamespace)
        {
            files[$"{subdirectory}/{ns}/kustomization.yaml"] = Kustomization($"the policies inference suggests for namespace {ns}", set);
        }

        if (byNamespace.Count > 0)
        {
            files[$"{subdirectory}/kustomization.yaml"] = Kustomization("every namespace inference writes policies for", byNamespace.Keys);
        }

        return files;
    }

    /// <summary>The rules review left out and what that does, in the file itself, so the YAML never isolates a workload silently.</summary>
    private static string ReviewComments(PolicyReview review)
    {
        var sb = new StringBuilder();
        foreach (var rule in review.Withheld)
        {
            var d = rule.Decision!;
            sb.Append("# withheld in review: ").Append(OneLine(rule.Text)).Append(" (rejected by ").Append(OneLine(d.Actor))
                .Append(d.Note.Length > 0 ? ": " + OneLine(d.Note) : "").Append(')').Append('\n');
        }

        foreach (var effect in review.Effects)
        {
            sb.Append("# NOTE: ").Append(OneLine(effect)).Append('\n');
        }

        return sb.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Kustomization(string what, IEnumerable<string> resources)
    {
        var sb = new StringBuilder();
        sb.Append(ManagedHeader).Append('\n');
        sb.Append("# ").Append(what).Append('\n');
        sb.Append("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
        foreach (var r in resources)
        {
            sb.Append("- ").Append(r).Append('\n');
        }

        return sb.ToString();
    }
}
