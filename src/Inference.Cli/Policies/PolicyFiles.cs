using Inference.Core.Policies;

namespace Inference.Cli.Policies;

/// <summary>Reads policy files and directories (recursively: *.yaml, *.yml, *.json, in ordinal path order) and parses them in Core.</summary>
internal static class PolicyFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static async Task<(PolicySet Policies, IReadOnlyList<PolicyDiagnostic> Diagnostics)> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var policies = new List<PolicyBase>();
        var diagnostics = new List<PolicyDiagnostic>();
        foreach (var file in Expand(paths))
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, file, 0, null, $"cannot read: {ex.Message}"));
                continue;
            }

            var result = PolicyParser.Parse(text, file, cancellationToken);
            policies.AddRange(result.Policies);
            diagnostics.AddRange(result.Diagnostics);
        }

        var set = PolicySet.Create(policies);
        diagnostics.AddRange(set.Diagnostics);
        return (set, diagnostics);
    }

    private static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var f in files)
                {
                    yield return f;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                throw new CliException($"--policies {path}: no such file or directory");
            }
        }
    }
}
