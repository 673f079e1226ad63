using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>Collects the validation errors and warnings of one object; any error rejects the object, as the API server would.</summary>
internal sealed class ReadContext(YamlNodes nodes, string file, string policyName)
{
    private readonly List<PolicyDiagnostic> _diagnostics = [];

    public YamlNodes Nodes { get; } = nodes;
    public string File { get; } = file;
    public string PolicyName { get; } = policyName;
    public IReadOnlyList<PolicyDiagnostic> Diagnostics => _diagnostics;
    public bool HasErrors => _diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    public void Error(YamlNode? node, int fallbackLine, string message) =>
        _diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, File, node is null ? fallbackLine : Nodes.Line(node), PolicyName, message));

    public void Warning(YamlNode? node, int fallbackLine, string message) =>
        _diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Warning, File, node is null ? fallbackLine : Nodes.Line(node), PolicyName, message));

    /// <summary>Warns about keys the schema does not have (typos such as <c>podselector</c> silently change meaning).</summary>
    public void WarnUnknownKeys(YamlMappingNode map, string where, params string[] known)
    {
        foreach (var (k, _) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                Warning(k, 0, $"unknown field '{key}' in {where} (ignored)");
            }
        }
    }
}
