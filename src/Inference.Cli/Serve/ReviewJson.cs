using System.Text.Json;
using Inference.Cli.Export;
using Inference.Cli.Output;
using Inference.Core.Inference;
using Inference.Core.Inference.Yaml;
using Inference.Core.Review;

namespace Inference.Cli.Serve;

/// <summary>The page's data: per namespace and workload the policy YAML, its rules with evidence and decisions, and the window's gaps.</summary>
internal static class ReviewJson
{
    /// <param name="deployed">The deployed policies' diff; null when serve has no <c>deployed:</c> configured.</param>
    public static void Write(Utf8JsonWriter json, ExportInputs inputs, bool exportConfigured, DeployedBreaks? deployed = null)
    {
        var s = inputs.Suggestion;
        var reviews = ReviewPlan.Apply(s, inputs.Decisions, approvedOnly: true);
        json.WriteStartObject();
        json.WriteString("format", SuggestOptions.FormatName(s.Options.Format));
        json.WriteBoolean("exportConfigured", exportConfigured);
        if (s.WindowStart is { } from)
        {
            json.WriteString("from", EdgeJson.Time(from));
            json.WriteString("to", EdgeJson.Time(s.WindowEnd!.Value));
        }

        var v = s.Verification;
        json.WriteStartObject("verification");
        json.WriteBoolean("passed", v.Passed);
        json.WriteNumber("connectionsCovered", v.ConnectionsCovered);
        json.WriteNumber("connectionsObserved", v.ConnectionsObserved);
        json.WriteEndObject();
        json.WriteStartObject("exposure");
        json.WriteNumber("before", s.Exposure.Before);
        json.WriteNumber("after", s.Exposure.After);
        json.WriteEndObject();
        var suggestionBreaks = s.Uncovered.Count == 0
            ? "Enforcing this suggestion blocks no observed allowed connection (every one was replayed through the evaluator)."
            : $"{s.Uncovered.Sum(u => u.Edge.Allowed)} observed connections on {s.Uncovered.Count} edges cannot be expressed in this format and would be blocked.";
        json.WriteString("wouldBreak", suggestionBreaks + " " + (deployed?.Summary()
            ?? "Deployed policies are not compared: set deployed: [DIR] in the config (or --deployed DIR) to see what they would break."));
        if (deployed is null)
        {
            json.WriteNull("deployed");
        }
        else
        {
            deployed.Write(json);
        }

        Strings(json, "gaps", inputs.Review is { } cov ? inputs.Gaps.Prepend(Inference.Cli.Suggest.SuggestionReview.CoverageLine(cov.Coverage, "observe longer before enforcing")) : inputs.Gaps);
        Strings(json, "notes", s.Notes);
        Strings(json, "uncovered", s.Uncovered.Select(u => $"{u.Edge.Edge}: {u.Reason}"));
        Strings(json, "dropped", s.Dropped.Select(d => $"{d.Edge}: {d.Dropped} dropped"));
        json.WriteStartArray("namespaces");
        foreach (var ns in reviews.GroupBy(r => r.Policy.Namespace, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name", ns.Key);
            json.WriteStartArray("policies");
            foreach (var r in ns)
            {
                Policy(json, r, s.Options.Format, inputs.Review, deployed);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Policy(Utf8JsonWriter json, PolicyReview r, SuggestFormat format, Inference.Cli.Suggest.SuggestionReview? review, DeployedBreaks? deployed)
    {
        var p = r.Policy;
        json.WriteStartObject();
        json.WriteString("namespace", p.Namespace);
        json.WriteString("name", p.Name);
        json.WriteString("kind", p.Kind.ToString().ToLowerInvariant());
        json.WriteString("workload", p.Workload?.ToString());
        json.WriteString("state", r.State.ToString().ToLowerInvariant());
        json.WriteString("reason", r.Reason);
        Decision(json, r.Decision);
        // the YAML export would write: without the rules rejected in review
        json.WriteString("yaml", PolicyYaml.Render(r.Written, format));
        Strings(json, "effects", r.Effects);
        if (deployed is null)
        {
            json.WriteNull("deployedWouldBreak");
        }
        else
        {
            deployed.WriteFor(json, p.Workload);
        }

        json.WriteStartArray("rules");
        foreach (var rule in r.Rules)
        {
            var e = rule.Rule.Evidence;
            json.WriteStartObject();
            json.WriteString("key", rule.Key);
            json.WriteString("text", rule.Text);
            json.WriteString("direction", rule.Rule.Direction.ToString().ToLowerInvariant());
            json.WriteNumber("connections", e.Connections);
            json.WriteBoolean("reviewBeforeAllowing", review?.ReviewBeforeAllowing(rule.Rule) ?? false);
            json.WriteNumber("edges", e.Edges.Count);
            json.WriteNumber("sourcePods", e.DistinctSourcePods);
            json.WriteString("firstSeen", e.FirstSeen is { } f ? EdgeJson.Time(f) : null);
            json.WriteString("lastSeen", e.LastSeen is { } l ? EdgeJson.Time(l) : null);
            json.WriteStartObject("verdicts");
            foreach (var (k, n) in e.Verdicts)
            {
                json.WriteNumber(k, n);
            }

            json.WriteEndObject();
            Strings(json, "connectionsSeen", e.Edges.Take(20).Select(x => x.ToString()));
            Decision(json, rule.Decision);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Decision(Utf8JsonWriter json, ReviewDecision? d)
    {
        if (d is null)
        {
            json.WriteNull("decision");
            return;
        }

        json.WriteStartObject("decision");
        json.WriteString("verdict", d.Verdict == ReviewVerdict.Approved ? "approved" : "rejected");
        json.WriteString("note", d.Note);
        json.WriteString("actor", d.Actor);
        json.WriteString("at", EdgeJson.Time(d.At));
        json.WriteEndObject();
    }

    public static void Strings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }

        json.WriteEndArray();
    }
}
