using Inference.Core.Policies.Parsing;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies;

/// <summary>Policies read from one file, and what was wrong with the rest of it.</summary>
public sealed record PolicyParseResult(IReadOnlyList<PolicyBase> Policies, IReadOnlyList<PolicyDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}

/// <summary>
/// Reads policies from YAML or JSON text (multi-document, <c>kind: List</c>), as authored. No I/O: the caller reads the
/// file and passes its text and the path to show in messages. An invalid object is reported and skipped; the rest load.
/// </summary>
public static class PolicyParser
{
    public static PolicyParseResult Parse(string text, string displayPath, CancellationToken cancellationToken = default)
    {
        var policies = new List<PolicyBase>();
        var diagnostics = new List<PolicyDiagnostic>();
        foreach (var chunk in YamlDocuments.Split(text, cancellationToken))
        {
            if (chunk.SyntaxError is not null)
            {
                diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, displayPath, chunk.ErrorLine, null, chunk.SyntaxError));
                continue;
            }

            ReadNode(chunk.Root, chunk.Nodes, displayPath, policies, diagnostics, cancellationToken);
        }

        return new PolicyParseResult(policies, diagnostics);
    }

    private static void ReadNode(YamlNode? node, YamlNodes nodes, string file, List<PolicyBase> policies, List<PolicyDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (node)
        {
            case null:
                return;
            case YamlSequenceNode seq:
                // a bare JSON array of objects
                foreach (var item in seq.Children)
                {
                    ReadNode(item, nodes, file, policies, diagnostics, cancellationToken);
                }

                return;
            case YamlMappingNode map:
                ReadObject(map, nodes, file, policies, diagnostics, cancellationToken);
                return;
            default:
                if (!YamlNodes.IsNull(node))
                {
                    diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, file, nodes.Line(node), null, "expected a Kubernetes object (a mapping with apiVersion and kind)"));
                }

                return;
        }
    }

    private static void ReadObject(YamlMappingNode map, YamlNodes nodes, string file, List<PolicyBase> policies, List<PolicyDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var line = nodes.Line(map);
        var kind = (YamlNodes.Get(map, "kind") as YamlScalarNode)?.Value ?? "";
        var apiVersion = (YamlNodes.Get(map, "apiVersion") as YamlScalarNode)?.Value ?? "";
        var metadata = YamlNodes.Get(map, "metadata") as YamlMappingNode;
        var name = (YamlNodes.Get(metadata, "name") as YamlScalarNode)?.Value ?? "";
        var ns = (YamlNodes.Get(metadata, "namespace") as YamlScalarNode)?.Value;
        if (YamlNodes.IsNull(YamlNodes.Get(metadata, "namespace")))
        {
            ns = null;
        }

        if (kind == "List" || (kind.EndsWith("List", StringComparison.Ordinal) && YamlNodes.Has(map, "items")))
        {
            if (YamlNodes.Get(map, "items") is YamlSequenceNode items)
            {
                foreach (var item in items.Children)
                {
                    ReadNode(item, nodes, file, policies, diagnostics, cancellationToken);
                }
            }

            return;
        }

        var policyKind = (apiVersion, kind) switch
        {
            ("networking.k8s.io/v1", "NetworkPolicy") => PolicyKind.NetworkPolicy,
            ("cilium.io/v2", "CiliumNetworkPolicy") => PolicyKind.CiliumNetworkPolicy,
            ("cilium.io/v2", "CiliumClusterwideNetworkPolicy") => PolicyKind.CiliumClusterwideNetworkPolicy,
            _ => (PolicyKind?)null,
        };
        var display = ns is null ? name : $"{ns}/{name}";
        if (policyKind is null)
        {
            var what = kind.Length == 0 ? "an object without kind" : $"kind {kind}" + (apiVersion.Length > 0 ? $" ({apiVersion})" : "");
            diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Warning, file, line, display.Length > 0 ? display : null, $"skipped {what}: not a supported policy kind"));
            return;
        }

        var label = $"{policyKind} {(display.Length > 0 ? display : "<unnamed>")}";
        var ctx = new ReadContext(nodes, file, label);
        if (name.Length == 0)
        {
            ctx.Error(metadata ?? (YamlNode)map, line, "metadata.name is required");
        }

        if (policyKind == PolicyKind.CiliumClusterwideNetworkPolicy)
        {
            ns = null;
        }
        else if (ns is null or "")
        {
            // kubectl would create it in the current context's namespace; "default" is the only deterministic choice
            ns = "default";
            ctx.Warning(metadata ?? (YamlNode)map, line, "metadata.namespace is missing; using \"default\"");
        }

        PolicyBase? policy = null;
        try
        {
            policy = policyKind == PolicyKind.NetworkPolicy
                ? NetworkPolicyReader.Read(ctx, map, ns!, name)
                : CiliumPolicyReader.Read(ctx, map, policyKind.Value, ns, name);
        }
        catch (PolicyFormatException ex)
        {
            ctx.Error(null, ex.Line, ex.Message);
        }

        diagnostics.AddRange(ctx.Diagnostics);
        if (policy is not null && !ctx.HasErrors)
        {
            policies.Add(policy);
        }
    }
}
