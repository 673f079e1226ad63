using System.Globalization;
using System.Text;
using System.Text.Json;
using Inference.Cli.Output;
using Inference.Core.Flows;
using Inference.Core.Inference;
using Inference.Core.Inference.Rules;

namespace Inference.Cli.Suggest;

/// <summary>The summary text and the JSON report of a suggestion (with per-rule evidence).</summary>
internal static class SuggestionReport
{
    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    public static string Summary(Suggestion s, IReadOnlyList<string>? written, string? directory, SuggestionReview? review = null)
    {
        var sb = new StringBuilder();
        var v = s.Verification;
        var format = SuggestOptions.FormatName(s.Options.Format);
        var window = s.WindowStart is { } from ? $" over {EdgeJson.Time(from)} .. {EdgeJson.Time(s.WindowEnd!.Value)}" : "";
        sb.Append(CultureInfo.InvariantCulture, $"suggestion ({format}){window}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  connections covered: {N(v.ConnectionsCovered)}/{N(v.ConnectionsObserved)} ({N(v.EdgesCovered)}/{N(v.EdgesObserved)} edges), verified: every covered connection replayed through the evaluator ({N(v.ProbesEvaluated)} probes, {(v.Passed ? "all allowed" : $"{v.Failures.Count} DENIED")})\n");
        var workloadPolicies = s.Policies.Count(p => p.Kind == SuggestedPolicyKind.Workload);
        sb.Append(CultureInfo.InvariantCulture, $"  policies: {s.Policies.Count} ({workloadPolicies} workload, {s.Policies.Count(p => p.Kind == SuggestedPolicyKind.DefaultDeny)} default-deny, {s.Policies.Count(p => p.Kind == SuggestedPolicyKind.Dns)} dns); rules: {s.RuleCount}\n");
        var e = s.Exposure;
        sb.Append(CultureInfo.InvariantCulture, $"  exposure: {N(e.Before)} -> {N(e.After)} (source workload, destination workload, port) triples allowed ({N(e.SourceWorkloads)} workloads x {N(e.ServedPorts)} served ports; default-allow vs suggestion)\n");
        if (written is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  written: {written.Count} files under {directory}\n");
        }

        Section(sb, "not covered (the format cannot express it; no rule was written, nothing was widened)",
            s.Uncovered.GroupBy(u => u.Reason, StringComparer.Ordinal).Select(g => $"{g.Key}\n      {string.Join("\n      ", g.Select(u => $"{u.Edge.Edge} ({N(u.Edge.Allowed)} connections)"))}"));
        Section(sb, "dropped connections (never turned into allow rules)",
            s.Dropped.Select(d => $"{d.Edge}: {N(d.Dropped)} dropped{(d.DropReasons.Count > 0 ? " (" + string.Join(", ", d.DropReasons.Select(r => $"{r.Key}={N(r.Value)}")) + ")" : "")}"));
        Section(sb, "no traffic observed (the namespace default-deny will isolate it, review)", s.NoTraffic.Select(p => p.ToString()));
        if (review is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {SuggestionReview.CoverageLine(review.Coverage, "traffic the window missed will be blocked; observe longer before enforcing")}\n");
            Section(sb, "review before allowing (every edge behind the rule scored anomalous: a scan or a misconfiguration would become policy)",
                s.Policies.SelectMany(p => p.Ingress.Concat(p.Egress).Where(review.ReviewBeforeAllowing)
                    .Select(r => $"{p.Namespace}/{p.Name} {r.Direction.ToString().ToLowerInvariant()} rule {r.Index}: {string.Join(", ", r.Peers)} ports {string.Join(",", r.Ports)} (score {review.MaxScore(r).ToString("0.00", CultureInfo.InvariantCulture)})")));
        }

        Section(sb, "notes", s.Notes);
        sb.Append(s.Options.Format switch
        {
            SuggestFormat.Cilium => "to try it without enforcing: enable Cilium's policy audit mode (Helm policyAuditMode=true, or per endpoint `cilium-dbg endpoint config <id> PolicyAuditMode=Enabled`); would-be drops then show as AUDIT verdicts in the flows inference reads\n",
            SuggestFormat.CalicoStaged => "staged: Calico records what these policies would do (pending verdicts in its flow logs) without enforcing them; apply, watch, then re-run with --format kubernetes to enforce\n",
            _ => "to try it without enforcing first: --format calico-staged (Calico), or --format cilium under policy audit mode\n",
        });
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        sb.Append(CultureInfo.InvariantCulture, $"{title}:\n");
        foreach (var line in list)
        {
            sb.Append("  ").Append(line).Append('\n');
        }
    }

    public static string Json(Suggestion s, IReadOnlyList<string>? written, SuggestionReview? review = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("format", SuggestOptions.FormatName(s.Options.Format));
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
            json.WriteNumber("edgesCovered", v.EdgesCovered);
            json.WriteNumber("edgesObserved", v.EdgesObserved);
            json.WriteNumber("probes", v.ProbesEvaluated);
            json.WriteEndObject();

            var e = s.Exposure;
            json.WriteStartObject("exposure");
            json.WriteNumber("sourceWorkloads", e.SourceWorkloads);
            json.WriteNumber("servedPorts", e.ServedPorts);
            json.WriteNumber("before", e.Before);
            json.WriteNumber("after", e.After);
            json.WriteEndObject();

            json.WriteStartArray("policies");
            var exposure = e.PerPolicy.ToDictionary(p => p.Workload);
            foreach (var p in s.Policies)
            {
                WritePolicy(json, p, exposure.GetValueOrDefault(p.Workload ?? Peer.ForEntity(EntityKind.World)), review);
            }

            json.WriteEndArray();

            json.WriteStartArray("uncovered");
            foreach (var u in s.Uncovered)
            {
                json.WriteStartObject();
                EdgeJson.WriteEdgeFields(json, u.Edge.Edge);
                json.WriteNumber("connections", u.Edge.Allowed);
                json.WriteString("reason", u.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("dropped");
            foreach (var d in s.Dropped)
            {
                json.WriteStartObject();
                EdgeJson.WriteEdgeFields(json, d.Edge);
                json.WriteNumber("dropped", d.Dropped);
                json.WriteStartObject("dropReasons");
                foreach (var (reason, count) in d.DropReasons)
                {
                    json.WriteNumber(reason, count);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("noTraffic");
            foreach (var p in s.NoTraffic)
            {
                json.WriteStartObject();
                EdgeJson.WritePeer(json, "workload", p);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "notes", s.Notes);
            if (review is not null)
            {
                json.WriteStartObject("coverage");
                json.WriteString("status", review.Coverage.Cluster.Status.ToString());
                json.WriteBoolean("low", review.Coverage.IsLow);
                json.WriteString("headline", review.Coverage.Headline);
                json.WriteEndObject();
            }

            if (written is not null)
            {
                WriteStrings(json, "written", written);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WritePolicy(Utf8JsonWriter json, SuggestedPolicy p, PolicyExposure? exposure, SuggestionReview? review)
    {
        json.WriteStartObject();
        json.WriteString("namespace", p.Namespace);
        json.WriteString("name", p.Name);
        json.WriteString("file", $"{p.Namespace}/{p.FileName}");
        json.WriteString("kind", p.Kind switch { SuggestedPolicyKind.DefaultDeny => "default-deny", SuggestedPolicyKind.Dns => "dns", _ => "workload" });
        if (p.Workload is not null)
        {
            EdgeJson.WritePeer(json, "workload", p.Workload);
        }

        json.WriteString("selector", p.Selector.ToString());
        if (exposure is not null)
        {
            json.WriteStartObject("exposure");
            json.WriteNumber("before", exposure.Before);
            json.WriteNumber("after", exposure.After);
            json.WriteEndObject();
        }

        json.WriteStartArray("rules");
        foreach (var r in p.Ingress.Concat(p.Egress))
        {
            WriteRule(json, r, review);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter json, SuggestedRule r, SuggestionReview? review)
    {
        json.WriteStartObject();
        json.WriteString("direction", r.Direction.ToString().ToLowerInvariant());
        json.WriteNumber("index", r.Index);
        WriteStrings(json, "peers", r.Peers.Select(x => x.ToString()));
        WriteStrings(json, "ports", r.Ports.Select(x => x.ToString()));
        if (r.IsIcmp)
        {
            WriteStrings(json, "icmp", r.Icmps.Select(i => $"{(i.IsV6 ? "IPv6" : "IPv4")} type {i.Type}"));
        }

        if (review is not null)
        {
            json.WriteBoolean("reviewBeforeAllowing", review.ReviewBeforeAllowing(r));
            json.WriteNumber("anomalyScore", Math.Round(review.MaxScore(r), 3));
            // the coverage of the scopes and rhythm behind each distinct evidence edge, said once per distinct finding
            var coverage = r.Evidence.Edges.Select(review.Coverage.EvidenceFor).ToList();
            json.WriteBoolean("lowCoverage", coverage.Any(c => c.Low));
            WriteStrings(json, "coverage", coverage.Select(c => c.Summary).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(5));
        }

        var e = r.Evidence;
        json.WriteStartObject("evidence");
        json.WriteNumber("connections", e.Connections);
        if (e.FirstSeen is { } first)
        {
            json.WriteString("firstSeen", EdgeJson.Time(first));
            json.WriteString("lastSeen", EdgeJson.Time(e.LastSeen!.Value));
        }

        json.WriteNumber("distinctSourcePods", e.DistinctSourcePods);
        json.WriteStartObject("verdicts");
        foreach (var (k, n) in e.Verdicts)
        {
            json.WriteNumber(k, n);
        }

        json.WriteEndObject();
        json.WriteStartArray("edges");
        foreach (var edge in e.Edges)
        {
            json.WriteStartObject();
            EdgeJson.WriteEdgeFields(json, edge);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string property, IEnumerable<string> values)
    {
        json.WriteStartArray(property);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
