using System.Globalization;
using System.Text.Json.Nodes;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Cli.Policies;

/// <summary>Renders evaluation results: one JSON object per line, or a table row.</summary>
internal static class EvaluationOutput
{
    public static string Json(int line, ConnectionProbe probe, EvaluationResult result)
    {
        var obj = new JsonObject
        {
            ["line"] = line,
            ["verdict"] = result.Allowed ? "allowed" : "denied",
            ["source"] = probe.Source.ToString(),
            ["destination"] = probe.Destination.ToString(),
            ["protocol"] = probe.Protocol.ToWire(),
            ["port"] = probe.Port,
            ["egress"] = Direction(result.Egress),
            ["ingress"] = Direction(result.Ingress),
        };
        if (result.Notes.Count > 0)
        {
            obj["notes"] = new JsonArray([.. result.Notes.Select(n => (JsonNode?)n)]);
        }

        return obj.ToJsonString();
    }

    public static string JsonError(int line, string message) => new JsonObject { ["line"] = line, ["error"] = message }.ToJsonString();

    private static JsonObject Direction(DirectionVerdict v)
    {
        var obj = new JsonObject
        {
            ["isolated"] = v.Isolated,
            ["allowed"] = v.Allowed,
            ["reason"] = Reason(v.Outcome),
        };
        if (v.AllowedBy is { } allowed)
        {
            obj["allowed_by"] = Rule(allowed);
        }

        if (v.DeniedBy is { } denied)
        {
            obj["denied_by"] = Rule(denied);
        }

        if (v.Isolated)
        {
            obj["isolated_by"] = new JsonArray([.. v.IsolatedBy.Select(p => (JsonNode?)Policy(p))]);
        }

        return obj;
    }

    private static JsonObject Policy(PolicyRef p)
    {
        var obj = new JsonObject { ["kind"] = p.Kind.ToString() };
        if (p.Namespace is not null)
        {
            obj["namespace"] = p.Namespace;
        }

        obj["name"] = p.Name;
        return obj;
    }

    private static JsonObject Rule(RuleRef r)
    {
        var obj = Policy(r.Policy);
        obj["direction"] = r.Direction == PolicyDirection.Ingress ? "ingress" : "egress";
        if (r.Policy.Kind != PolicyKind.NetworkPolicy)
        {
            obj["spec"] = r.SpecIndex;
        }

        if (r.IsDeny)
        {
            obj["deny"] = true;
        }

        obj["rule"] = r.RuleIndex;
        return obj;
    }

    public static string Reason(DirectionOutcome outcome) => outcome switch
    {
        DirectionOutcome.NotApplicable => "not-a-pod",
        DirectionOutcome.NotIsolated => "not-isolated",
        DirectionOutcome.AllowedByRule => "allowed-by-rule",
        DirectionOutcome.NodeLocal => "node-local",
        DirectionOutcome.Self => "self",
        DirectionOutcome.NotAllowed => "no-rule-allows",
        _ => "denied-by-rule",
    };

    public static readonly string[] TableHeader = ["LINE", "VERDICT", "SOURCE", "DESTINATION", "PORT", "EGRESS", "INGRESS"];

    public static string[] TableRow(int line, ConnectionProbe probe, EvaluationResult result) =>
    [
        line.ToString(CultureInfo.InvariantCulture),
        result.Allowed ? "allowed" : "DENIED",
        probe.Source.ToString(),
        probe.Destination.ToString(),
        $"{probe.Protocol.ToWire()}/{probe.Port.ToString(CultureInfo.InvariantCulture)}",
        Cell(result.Egress),
        Cell(result.Ingress),
    ];

    private static string Cell(DirectionVerdict v) => v.Outcome switch
    {
        DirectionOutcome.AllowedByRule => $"{v.AllowedBy}",
        DirectionOutcome.DeniedByRule => $"denied by {v.DeniedBy}",
        DirectionOutcome.NotAllowed => $"isolated by {string.Join(", ", v.IsolatedBy.Select(p => p.DisplayName))}",
        _ => Reason(v.Outcome),
    };
}
