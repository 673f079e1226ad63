using System.Text.Json;
using Inference.Core.Flows;
using Inference.Ingest.Calico.Policies;

namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Reads one Felix flow-log record (<c>flows.log</c> JSON, ~60 keys) in a single pass, keeping only what the edge model needs.
/// Felix writes every key, so a missing required key or a value of the wrong type means the record is malformed.
/// </summary>
internal static class FelixRecordParser
{
    private const long NsPerSecond = 1_000_000_000;

    /// <summary>Parses the record, or returns null when the object is a Goldmane flow (it has a <c>Key</c>).</summary>
    public static CalicoFlow? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        long? start = null, end = null, started = null;
        string? srcType = null, srcNs = null, srcAggr = null, srcName = null, srcIp = null;
        string? dstType = null, dstNs = null, dstAggr = null, dstName = null, dstIp = null;
        string? proto = null, action = null, reporter = null;
        long? dstPort = null;
        List<string> srcLabels = [], dstLabels = [], domains = [];
        PolicyTrace enforced = PolicyTrace.Empty, pending = PolicyTrace.Empty;

        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new RecordException("not a JSON object");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "Key" or "key": return null;
                    case "start_time": start = JsonFields.Long(ref reader, name); break;
                    case "end_time": end = JsonFields.Long(ref reader, name); break;
                    case "num_flows_started": started = JsonFields.Long(ref reader, name); break;
                    case "source_type": srcType = JsonFields.String(ref reader, name); break;
                    case "source_namespace": srcNs = JsonFields.String(ref reader, name); break;
                    case "source_name_aggr": srcAggr = JsonFields.String(ref reader, name); break;
                    case "source_name": srcName = JsonFields.NullableString(ref reader, name); break;
                    case "source_ip": srcIp = JsonFields.NullableString(ref reader, name); break;
                    case "source_labels": srcLabels = Labels(ref reader, name); break;
                    case "dest_type": dstType = JsonFields.String(ref reader, name); break;
                    case "dest_namespace": dstNs = JsonFields.String(ref reader, name); break;
                    case "dest_name_aggr": dstAggr = JsonFields.String(ref reader, name); break;
                    case "dest_name": dstName = JsonFields.NullableString(ref reader, name); break;
                    case "dest_ip": dstIp = JsonFields.NullableString(ref reader, name); break;
                    case "dest_labels": dstLabels = Labels(ref reader, name); break;
                    case "dest_port": dstPort = JsonFields.NullableLong(ref reader, name); break;
                    case "dest_domains": domains = JsonFields.StringArray(ref reader, name); break;
                    case "proto": proto = JsonFields.String(ref reader, name); break;
                    case "action": action = JsonFields.String(ref reader, name); break;
                    case "reporter": reporter = JsonFields.String(ref reader, name); break;
                    case "policies": (enforced, pending) = Policies(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException ex)
        {
            throw new RecordException($"not valid JSON: {ex.Message}");
        }

        if (!PolicyNames.TryParseAction(action ?? throw JsonFields.Missing("action"), out var act) || act == PolicyAction.Pass)
        {
            throw new RecordException($"action: '{action}' is neither allow nor deny");
        }

        if (dstPort is < 0 or > 65535)
        {
            throw new RecordException($"dest_port: {dstPort} is not a port");
        }

        var startNs = Required(start, "start_time") * NsPerSecond;
        var endNs = Required(end, "end_time") * NsPerSecond;
        if (endNs < startNs)
        {
            throw new RecordException($"end_time {end} is before start_time {start}");
        }

        return new CalicoFlow(
            startNs,
            endNs,
            CalicoNames.Reporter(reporter ?? throw JsonFields.Missing("reporter"), "reporter"),
            Endpoint("source", srcType, srcNs, srcAggr, srcName, srcIp, srcLabels, []),
            Endpoint("dest", dstType, dstNs, dstAggr, dstName, dstIp, dstLabels, domains),
            CalicoNames.Protocol(proto ?? throw JsonFields.Missing("proto")),
            (int?)dstPort,
            act,
            enforced,
            pending,
            started ?? throw JsonFields.Missing("num_flows_started"));
    }

    private static long Required(long? value, string field) => value ?? throw JsonFields.Missing(field);

    private static CalicoEndpoint Endpoint(string side, string? type, string? ns, string? aggr, string? name, string? ip, List<string> labels, List<string> domains)
    {
        var t = CalicoNames.EndpointType(type ?? throw JsonFields.Missing(side + "_type"), side + "_type");
        ns = ns ?? throw JsonFields.Missing(side + "_namespace");
        aggr = aggr ?? throw JsonFields.Missing(side + "_name_aggr");
        if (t == EndpointType.Workload && (ns is "-" or "" || aggr is "-" or ""))
        {
            throw new RecordException($"{side}: a workload endpoint needs {side}_namespace and {side}_name_aggr");
        }

        return new CalicoEndpoint(t, ns, aggr, name is null or "-" or "" ? null : name, ip is null or "" ? null : ip, labels, domains);
    }

    /// <summary><c>{"labels": ["k=v", ...]}</c> as Felix writes it; a bare array and null are accepted too.</summary>
    private static List<string> Labels(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return JsonFields.StringArray(ref reader, field);
        }

        List<string> labels = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "labels")
            {
                labels = JsonFields.StringArray(ref reader, field + ".labels");
            }
            else
            {
                reader.Skip();
            }
        }

        return labels;
    }

    private static (PolicyTrace Enforced, PolicyTrace Pending) Policies(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (PolicyTrace.Empty, PolicyTrace.Empty);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonFields.Wrong("policies", "an object or null", reader.TokenType);
        }

        PolicyTrace enforced = PolicyTrace.Empty, pending = PolicyTrace.Empty;
        List<string>? all = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "enforced_policies": enforced = Trace(JsonFields.StringArray(ref reader, "policies." + name), "policies." + name); break;
                case "pending_policies": pending = Trace(JsonFields.StringArray(ref reader, "policies." + name), "policies." + name); break;
                case "all_policies": all = JsonFields.StringArray(ref reader, "policies." + name); break;
                default: reader.Skip(); break;
            }
        }

        if (enforced.Hits.Count == 0 && all is { Count: > 0 })
        {
            // clusters older than enforced/pending wrote only all_policies, enforced and staged hits mixed "up until the first
            // enforced policy to apply a verdict": the enforced trace is its non-staged hits, the pending one ends at the first verdict
            var hits = Trace(all, "policies.all_policies");
            enforced = new PolicyTrace(hits.Hits.Where(h => !h.IsStaged));
            var decided = hits.Hits.TakeWhile(h => h.Action == PolicyAction.Pass).Count();
            pending = new PolicyTrace(hits.Hits.Take(decided + 1));
        }

        return (enforced, pending);
    }

    private static PolicyTrace Trace(List<string> strings, string field)
    {
        if (strings.Count == 0)
        {
            return PolicyTrace.Empty;
        }

        var hits = new PolicyHit[strings.Count];
        for (var i = 0; i < strings.Count; i++)
        {
            if (!PolicyHitParser.TryParse(strings[i], out hits[i], out var error))
            {
                throw new RecordException($"{field}[{i}]: {error}");
            }
        }

        return new PolicyTrace(hits);
    }
}
