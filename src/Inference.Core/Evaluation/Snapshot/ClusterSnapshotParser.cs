using Inference.Core.Flows;
using Inference.Core.Policies;
using Inference.Core.Policies.Parsing;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Evaluation.Snapshot;

/// <summary>A snapshot read from text, and what could not be read.</summary>
public sealed record SnapshotParseResult(ClusterSnapshot Snapshot, IReadOnlyList<PolicyDiagnostic> Diagnostics);

/// <summary>
/// Reads <c>kubectl get namespaces,pods -A -o yaml</c> (or JSON): a <c>List</c> of Namespace and Pod objects, or several
/// documents. Uses labels, <c>status.podIP(s)</c>, <c>status.hostIP</c>, <c>spec.nodeName</c>, <c>spec.hostNetwork</c>,
/// <c>spec.serviceAccountName</c> and the containers' named ports. No I/O.
/// </summary>
public static class ClusterSnapshotParser
{
    public static SnapshotParseResult Parse(string text, string displayPath, CancellationToken cancellationToken = default)
    {
        var namespaces = new List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>();
        var pods = new List<PodEndpoint>();
        var diagnostics = new List<PolicyDiagnostic>();
        foreach (var chunk in YamlDocuments.Split(text, cancellationToken))
        {
            if (chunk.SyntaxError is not null)
            {
                diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, displayPath, chunk.ErrorLine, null, chunk.SyntaxError));
                continue;
            }

            Read(chunk.Root, chunk.Nodes, displayPath, namespaces, pods, diagnostics, cancellationToken);
        }

        return new SnapshotParseResult(ClusterSnapshot.Create(namespaces, pods), diagnostics);
    }

    private static void Read(YamlNode? node, YamlNodes n, string file, List<KeyValuePair<string, IReadOnlyDictionary<string, string>>> namespaces,
        List<PodEndpoint> pods, List<PolicyDiagnostic> diagnostics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (node is YamlSequenceNode seq)
        {
            foreach (var item in seq.Children)
            {
                Read(item, n, file, namespaces, pods, diagnostics, cancellationToken);
            }

            return;
        }

        if (node is not YamlMappingNode map)
        {
            return;
        }

        var kind = (YamlNodes.Get(map, "kind") as YamlScalarNode)?.Value ?? "";
        if (kind.EndsWith("List", StringComparison.Ordinal))
        {
            Read(YamlNodes.Get(map, "items"), n, file, namespaces, pods, diagnostics, cancellationToken);
            return;
        }

        try
        {
            var metadata = n.Map(YamlNodes.Get(map, "metadata"), "metadata");
            var name = n.Str(YamlNodes.Get(metadata, "name"), "metadata.name") ?? "";
            var labels = n.StringMap(YamlNodes.Get(metadata, "labels"), "metadata.labels");
            switch (kind)
            {
                case "Namespace":
                    namespaces.Add(new(name, labels));
                    break;
                case "Pod":
                    pods.Add(ReadPod(n, map, name, labels));
                    break;
                default:
                    diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Warning, file, n.Line(map), name, $"skipped kind {kind}: a snapshot uses Namespace and Pod objects"));
                    break;
            }
        }
        catch (PolicyFormatException ex)
        {
            diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Error, file, ex.Line, null, ex.Message));
        }
    }

    private static PodEndpoint ReadPod(YamlNodes n, YamlMappingNode map, string name, IReadOnlyDictionary<string, string> labels)
    {
        var metadata = n.Map(YamlNodes.Get(map, "metadata"), "metadata");
        var ns = n.Str(YamlNodes.Get(metadata, "namespace"), "metadata.namespace") ?? "default";
        var spec = n.Map(YamlNodes.Get(map, "spec"), "spec");
        var status = n.Map(YamlNodes.Get(map, "status"), "status");
        var ips = new List<string>();
        foreach (var item in n.Seq(YamlNodes.Get(status, "podIPs"), "status.podIPs")?.Children ?? [])
        {
            if (n.Str(YamlNodes.Get(n.Map(item, "status.podIPs[]"), "ip"), "ip") is { Length: > 0 } ip && !ips.Contains(ip))
            {
                ips.Add(ip);
            }
        }

        if (n.Str(YamlNodes.Get(status, "podIP"), "status.podIP") is { Length: > 0 } podIp && !ips.Contains(podIp))
        {
            ips.Insert(0, podIp);
        }

        var ports = new List<ContainerPort>();
        foreach (var key in new[] { "containers", "initContainers" })
        {
            foreach (var c in n.Seq(YamlNodes.Get(spec, key), $"spec.{key}")?.Children ?? [])
            {
                foreach (var p in n.Seq(YamlNodes.Get(n.Map(c, $"spec.{key}[]"), "ports"), "ports")?.Children ?? [])
                {
                    var pm = n.Map(p, "ports[]");
                    var number = n.Int(YamlNodes.Get(pm, "containerPort"), "containerPort");
                    if (number is { } port)
                    {
                        var protocol = ClusterSnapshot.ParseProtocol(n.Str(YamlNodes.Get(pm, "protocol"), "protocol"));
                        ports.Add(new ContainerPort(n.Str(YamlNodes.Get(pm, "name"), "name"), port, protocol == L4Protocol.Unknown ? L4Protocol.Tcp : protocol));
                    }
                }
            }
        }

        return new PodEndpoint(ns, name, labels, new Dictionary<string, string>(), ports, ips,
            n.Str(YamlNodes.Get(spec, "nodeName"), "spec.nodeName"),
            n.Str(YamlNodes.Get(status, "hostIP"), "status.hostIP"),
            n.Bool(YamlNodes.Get(spec, "hostNetwork"), "spec.hostNetwork") ?? false,
            n.Str(YamlNodes.Get(spec, "serviceAccountName"), "spec.serviceAccountName"));
    }
}
