using System.Text;
using System.Text.Json;
using Inference.Cli.Output;
using Inference.Core.Diff;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Cli.Diff;

/// <summary>The diff as one JSON object. Every item naming a connection carries the edge fields of `inference edges`, connections and lastSeen.</summary>
internal static class DiffJson
{
    public static string Write(DiffReport report)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("wouldBreak");
            foreach (var b in report.WouldBreak)
            {
                json.WriteStartObject();
                Connection(json, b.Connection);
                json.WriteString("sourcePod", b.SourcePod);
                json.WriteString("destinationPod", b.DestinationPod);
                Denials(json, "deniedBy", b.Denials);
                json.WriteNumber("podPairsDenied", b.PairsDenied);
                json.WriteNumber("podPairsTried", b.PairsTried);
                Strings(json, "notes", b.Notes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("overBroad");
            foreach (var o in report.OverBroad)
            {
                OverBroad(json, o);
            }

            json.WriteEndArray();
            json.WriteStartObject("unused");
            json.WriteStartArray("rules");
            foreach (var r in report.Unused.Rules)
            {
                json.WriteStartObject();
                Rule(json, r.Rule, r.Location);
                json.WriteString("text", r.Text);
                json.WriteString("reason", Camel(r.Reason.ToString()));
                json.WriteString("detail", r.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("policies");
            foreach (var p in report.Unused.Policies)
            {
                json.WriteStartObject();
                Policy(json, p.Policy);
                json.WriteString("file", p.Location.File);
                json.WriteNumber("line", p.Location.Line);
                json.WriteString("detail", p.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("clusterDisagrees");
            foreach (var d in report.ClusterDisagrees)
            {
                json.WriteStartObject();
                Connection(json, d.Connection);
                json.WriteString("clusterSays", d.ClusterSays);
                json.WriteString("filesSay", d.FilesSay);
                json.WriteStartArray("signals");
                foreach (var s in d.Signals)
                {
                    json.WriteStartObject();
                    json.WriteString("source", s.Source);
                    json.WriteString("verdict", s.Verdict);
                    json.WriteString("direction", s.Direction is { } dir ? Direction(dir) : null);
                    json.WriteString("decidedBy", s.DecidedBy);
                    json.WriteNumber("connections", s.Connections);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                Denials(json, "filesDeniedBy", d.FileDenials);
                json.WriteString("explanation", d.Explanation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (report.Suggested is { } s2)
            {
                Suggested(json, s2);
            }
            else
            {
                json.WriteNull("suggested");
            }

            Summary(json, report.Summary);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Direction(PolicyDirection d) => d == PolicyDirection.Ingress ? "ingress" : "egress";

    public static void Connection(Utf8JsonWriter json, ConnectionRef c)
    {
        EdgeJson.WriteEdgeFields(json, c.Edge);
        json.WriteNumber("connections", c.Connections);
        json.WriteString("lastSeen", EdgeJson.Time(c.LastSeen));
        json.WriteStartObject("verdicts");
        foreach (var (k, v) in c.Verdicts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(k, v);
        }

        json.WriteEndObject();
    }

    public static void Denials(Utf8JsonWriter json, string property, IReadOnlyList<DirectionDenial> denials)
    {
        json.WriteStartArray(property);
        foreach (var d in denials)
        {
            json.WriteStartObject();
            json.WriteString("direction", Direction(d.Direction));
            json.WriteString("end", d.End);
            json.WriteStartArray("isolatedBy");
            foreach (var p in d.IsolatedBy)
            {
                json.WriteStringValue(p.ToString());
            }

            json.WriteEndArray();
            json.WriteString("denyRule", d.DeniedBy?.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void Policy(Utf8JsonWriter json, PolicyRef p)
    {
        json.WriteString("policy", p.DisplayName);
        json.WriteString("kind", p.Kind.ToString());
    }

    private static void Rule(Utf8JsonWriter json, RuleRef r, SourceLocation location)
    {
        Policy(json, r.Policy);
        json.WriteString("rule", r.ToString());
        json.WriteString("direction", Direction(r.Direction));
        json.WriteNumber("ruleIndex", r.RuleIndex);
        json.WriteString("file", location.File);
        json.WriteNumber("line", location.Line);
    }

    private static void OverBroad(Utf8JsonWriter json, OverBroadItem o)
    {
        json.WriteStartObject();
        Rule(json, o.Rule, o.Location);
        json.WriteString("text", o.Text);
        Strings(json, "allows", o.Allows);
        json.WriteStartArray("selects");
        foreach (var s in o.Subjects)
        {
            json.WriteStartObject();
            EdgeJson.WritePeer(json, "workload", s);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("admittedCombinations", o.AdmittedCombinations);
        json.WriteNumber("usedCombinations", o.UsedCombinations);
        json.WriteNumber("unusedCombinations", o.AdmittedCombinations - o.UsedCombinations);
        json.WriteNumber("admittedPeers", o.AdmittedPeers);
        json.WriteNumber("usedPeers", o.UsedPeers);
        json.WriteStartArray("used");
        foreach (var u in o.Used)
        {
            json.WriteStartObject();
            EdgeJson.WriteEdgeFields(json, u.Edge(o.Rule.Direction));
            json.WriteNumber("connections", u.Connections);
            json.WriteString("lastSeen", EdgeJson.Time(u.LastSeen));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Strings(json, "unusedSamples", o.UnusedSamples);
        json.WriteString("narrow", o.Suggestion);
        json.WriteEndObject();
    }

    private static void Suggested(Utf8JsonWriter json, SuggestedReport s)
    {
        json.WriteStartObject("suggested");
        json.WriteStartArray("observedEdges");
        foreach (var d in s.ObservedEdges)
        {
            Difference(json, d);
        }

        json.WriteEndArray();
        json.WriteStartObject("workloadPairs");
        json.WriteNumber("checked", s.WorkloadPairsChecked);
        json.WriteNumber("deployedOnly", s.DeployedOnlyPairs);
        json.WriteNumber("suggestedOnly", s.SuggestedOnlyPairs);
        json.WriteStartArray("samples");
        foreach (var d in s.PairSamples)
        {
            Difference(json, d);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartArray("yamlDiffs");
        foreach (var y in s.YamlDiffs)
        {
            json.WriteStartObject();
            EdgeJson.WritePeer(json, "workload", y.Workload);
            json.WriteStartArray("deployed");
            foreach (var p in y.Deployed)
            {
                json.WriteStringValue(p.ToString());
            }

            json.WriteEndArray();
            json.WriteString("suggested", y.SuggestedPolicy);
            json.WriteString("diff", string.Join("\n", y.Lines) + "\n");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Strings(json, "notes", s.Notes);
        json.WriteEndObject();
    }

    private static void Difference(Utf8JsonWriter json, SemanticDifference d)
    {
        json.WriteStartObject();
        EdgeJson.WriteEdgeFields(json, d.Edge);
        json.WriteNumber("connections", d.Connections);
        json.WriteString("lastSeen", d.LastSeen is { } t ? EdgeJson.Time(t) : null);
        json.WriteBoolean("deployedAllows", d.DeployedAllows);
        json.WriteBoolean("suggestedAllows", d.SuggestedAllows);
        json.WriteString("detail", d.Detail);
        json.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter json, DiffSummary s)
    {
        json.WriteStartObject("summary");
        var c = s.Counts;
        json.WriteStartObject("counts");
        json.WriteNumber("deployedPolicies", c.DeployedPolicies);
        json.WriteNumber("deployedRules", c.DeployedRules);
        json.WriteNumber("edgesObserved", c.EdgesObserved);
        json.WriteNumber("legitimateEdges", c.LegitimateEdges);
        json.WriteNumber("legitimateConnections", c.LegitimateConnections);
        json.WriteNumber("wouldBreak", c.WouldBreak);
        json.WriteNumber("wouldBreakConnections", c.WouldBreakConnections);
        json.WriteNumber("overBroad", c.OverBroad);
        json.WriteNumber("unusedRules", c.UnusedRules);
        json.WriteNumber("unusedPolicies", c.UnusedPolicies);
        json.WriteNumber("clusterDisagrees", c.ClusterDisagrees);
        json.WriteNumber("suggestedDifferences", c.SuggestedDifferences);
        json.WriteEndObject();
        json.WriteStartObject("window");
        json.WriteString("since", s.RequestedSince is { } a ? EdgeJson.Time(a) : null);
        json.WriteString("until", s.RequestedUntil is { } b ? EdgeJson.Time(b) : null);
        json.WriteString("firstSeen", s.FirstSeen is { } f ? EdgeJson.Time(f) : null);
        json.WriteString("lastSeen", s.LastSeen is { } l ? EdgeJson.Time(l) : null);
        json.WriteEndObject();
        json.WriteStartObject("gaps");
        json.WriteNumber("lostEvents", s.Gaps.LostEvents);
        Strings(json, "lostEventNodes", s.Gaps.LostEventNodes);
        Strings(json, "unavailableNodes", s.Gaps.UnavailableNodes);
        json.WriteStartArray("gaps");
        foreach (var g in s.Gaps.Gaps)
        {
            json.WriteStartObject();
            json.WriteString("source", g.Source);
            json.WriteString("node", g.Node);
            json.WriteString("from", EdgeJson.Time(g.From));
            json.WriteString("to", EdgeJson.Time(g.To));
            json.WriteString("reason", g.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        Strings(json, "notes", s.Notes);
        json.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter json, string property, IEnumerable<string> values)
    {
        json.WriteStartArray(property);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }

        json.WriteEndArray();
    }

    private static string Camel(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];
}
