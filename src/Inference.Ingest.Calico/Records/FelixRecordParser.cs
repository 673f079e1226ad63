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
        IReadOnlyList<string> srcLabels = JsonFields.None, dstLabels = JsonFields.None, domains = JsonFields.None;
        PolicyTrace enforced = PolicyTrace.Empty, pending = PolicyTrace.Empty;

        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new RecordException("not a JSON object");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                // property names are compared as UTF-8 bytes: ~60 keys a record, none of them allocated or hashed
                var field = Field(reader.ValueSpan);
                reader.Read();
                switch (field)
                {
                    case Key.GoldmaneKey: return null;
                    case Key.StartTime: start = JsonFields.Long(ref reader, "start_time"); break;
                    case Key.EndTime: end = JsonFields.Long(ref reader, "end_time"); break;
                    case Key.NumFlowsStarted: started = JsonFields.Long(ref reader, "num_flows_started"); break;
                    case Key.SourceType: srcType = Pooled(ref reader, "source_type"); break;
                    case Key.SourceNamespace: srcNs = Pooled(ref reader, "source_namespace"); break;
                    case Key.SourceNameAggr: srcAggr = Pooled(ref reader, "source_name_aggr"); break;
                    case Key.SourceName: srcName = PooledOrNull(ref reader, "source_name"); break;
                    case Key.SourceIp: srcIp = PooledOrNull(ref reader, "source_ip"); break;
                    case Key.SourceLabels: srcLabels = Labels(ref reader, json, "source_labels"); break;
                    case Key.DestType: dstType = Pooled(ref reader, "dest_type"); break;
                    case Key.DestNamespace: dstNs = Pooled(ref reader, "dest_namespace"); break;
                    case Key.DestNameAggr: dstAggr = Pooled(ref reader, "dest_name_aggr"); break;
                    case Key.DestName: dstName = PooledOrNull(ref reader, "dest_name"); break;
                    case Key.DestIp: dstIp = PooledOrNull(ref reader, "dest_ip"); break;
                    case Key.DestLabels: dstLabels = Labels(ref reader, json, "dest_labels"); break;
                    case Key.DestPort: dstPort = JsonFields.NullableLong(ref reader, "dest_port"); break;
                    case Key.DestDomains: domains = Cached(ref reader, json, Lists, "dest_domains", JsonFields.StringArray); break;
                    case Key.Proto: proto = Pooled(ref reader, "proto"); break;
                    case Key.Action: action = Pooled(ref reader, "action"); break;
                    case Key.Reporter: reporter = Pooled(ref reader, "reporter"); break;
                    case Key.Policies: (enforced, pending) = Cached(ref reader, json, Traces, "policies", Policies); break;
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
            Endpoint("source", srcType, srcNs, srcAggr, srcName, srcIp, srcLabels, JsonFields.None),
            Endpoint("dest", dstType, dstNs, dstAggr, dstName, dstIp, dstLabels, domains),
            CalicoNames.Protocol(proto ?? throw JsonFields.Missing("proto")),
            (int?)dstPort,
            act,
            enforced,
            pending,
            started ?? throw JsonFields.Missing("num_flows_started"));
    }

    /// <summary>The fields read; every other is skipped.</summary>
    private enum Key
    {
        Other,
        GoldmaneKey,
        StartTime,
        EndTime,
        NumFlowsStarted,
        SourceType,
        SourceNamespace,
        SourceNameAggr,
        SourceName,
        SourceIp,
        SourceLabels,
        DestType,
        DestNamespace,
        DestNameAggr,
        DestName,
        DestIp,
        DestLabels,
        DestPort,
        DestDomains,
        Proto,
        Action,
        Reporter,
        Policies,
    }

    /// <summary>Which field a raw (unescaped) property name is: by length first, so most names cost one compare at most.</summary>
    private static Key Field(ReadOnlySpan<byte> n) => n.Length switch
    {
        3 => n.SequenceEqual("Key"u8) || n.SequenceEqual("key"u8) ? Key.GoldmaneKey : Key.Other,
        5 => n.SequenceEqual("proto"u8) ? Key.Proto : Key.Other,
        6 => n.SequenceEqual("action"u8) ? Key.Action : Key.Other,
        7 => n.SequenceEqual("dest_ip"u8) ? Key.DestIp : Key.Other,
        8 => n.SequenceEqual("end_time"u8) ? Key.EndTime : n.SequenceEqual("reporter"u8) ? Key.Reporter : n.SequenceEqual("policies"u8) ? Key.Policies : Key.Other,
        9 => n.SequenceEqual("source_ip"u8) ? Key.SourceIp : n.SequenceEqual("dest_type"u8) ? Key.DestType
            : n.SequenceEqual("dest_name"u8) ? Key.DestName : n.SequenceEqual("dest_port"u8) ? Key.DestPort : Key.Other,
        10 => n.SequenceEqual("start_time"u8) ? Key.StartTime : Key.Other,
        11 => n.SequenceEqual("source_type"u8) ? Key.SourceType : n.SequenceEqual("source_name"u8) ? Key.SourceName
            : n.SequenceEqual("dest_labels"u8) ? Key.DestLabels : Key.Other,
        12 => n.SequenceEqual("dest_domains"u8) ? Key.DestDomains : Key.Other,
        13 => n.SequenceEqual("source_labels"u8) ? Key.SourceLabels : Key.Other,
        14 => n.SequenceEqual("dest_namespace"u8) ? Key.DestNamespace : n.SequenceEqual("dest_name_aggr"u8) ? Key.DestNameAggr : Key.Other,
        16 => n.SequenceEqual("source_namespace"u8) ? Key.SourceNamespace : n.SequenceEqual("source_name_aggr"u8) ? Key.SourceNameAggr : Key.Other,
        17 => n.SequenceEqual("num_flows_started"u8) ? Key.NumFlowsStarted : Key.Other,
        _ => Key.Other,
    };

    private static long Required(long? value, string field) => value ?? throw JsonFields.Missing(field);

    private static CalicoEndpoint Endpoint(string side, string? type, string? ns, string? aggr, string? name, string? ip, IReadOnlyList<string> labels, IReadOnlyList<string> domains)
    {
        var t = CalicoNames.EndpointType(type ?? throw JsonFields.Missing(side + "_type"), side + "_type");
        ns = ns ?? throw JsonFields.Missing(side + "_namespace");
        aggr = aggr ?? throw JsonFields.Missing(side + "_name_aggr");
        if (t == EndpointType.Workload && (ns is "-" or "" || aggr is "-" or ""))
        {
            throw new RecordException($"{side}: a workload endpoint needs {side}_namespace and {side}_name_aggr");
        }

        return EndpointCache.Get(t, ns, aggr, name is null or "-" or "" ? null : name, ip is null or "" ? null : ip, labels, domains);
    }

    [ThreadStatic]
    private static Utf8Cache<string>? t_strings;
    [ThreadStatic]
    private static Utf8Cache<IReadOnlyList<string>>? t_lists;
    [ThreadStatic]
    private static Utf8Cache<(PolicyTrace, PolicyTrace)>? t_policyPairs;

    private static Utf8Cache<string> Strings => t_strings ??= new Utf8Cache<string>();
    private static Utf8Cache<IReadOnlyList<string>> Lists => t_lists ??= new Utf8Cache<IReadOnlyList<string>>();
    private static Utf8Cache<(PolicyTrace, PolicyTrace)> Traces => t_policyPairs ??= new Utf8Cache<(PolicyTrace, PolicyTrace)>(10_000);

    private delegate T SubReader<out T>(ref Utf8JsonReader reader, string field);

    private static string Pooled(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
            ? Strings.GetOrAdd(reader.ValueSpan, b => System.Text.Encoding.UTF8.GetString(b))
            : JsonFields.String(ref reader, field);

    private static string? PooledOrNull(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : Pooled(ref reader, field);

    /// <summary>
    /// A structured value (labels, domains, policies) read once per distinct raw text: the value's bytes are the key, and
    /// the reader is moved past it. A value that does not parse is not cached, so its error is raised every time.
    /// </summary>
    /// <remarks><paramref name="read"/> is a static method taking the field's name: no closure is allocated per record.</remarks>
    private static T Cached<T>(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8Cache<T> cache, string field, SubReader<T> read)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return read(ref reader, field);
        }

        var start = (int)reader.TokenStartIndex;
        var probe = reader;
        probe.Skip();
        var raw = json[start..(int)probe.BytesConsumed];
        if (cache.TryGet(raw, out var value))
        {
            reader = probe;
            return value;
        }

        value = read(ref reader, field);
        cache.Add(raw, value);
        return value;
    }

    /// <summary><c>{"labels": ["k=v", ...]}</c> as Felix writes it; a bare array and null are accepted too.</summary>
    private static IReadOnlyList<string> Labels(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string field) =>
        Cached(ref reader, json, Lists, field, LabelsUncached);

    private static IReadOnlyList<string> LabelsUncached(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return JsonFields.StringArray(ref reader, field);
        }

        var labels = JsonFields.None;
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

    private static (PolicyTrace Enforced, PolicyTrace Pending) Policies(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (PolicyTrace.Empty, PolicyTrace.Empty);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw JsonFields.Wrong(field, "an object or null", reader.TokenType);
        }

        PolicyTrace enforced = PolicyTrace.Empty, pending = PolicyTrace.Empty;
        IReadOnlyList<string>? all = null;
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

    [ThreadStatic]
    private static Dictionary<string, PolicyTrace>? t_traces;

    private static PolicyTrace Trace(IReadOnlyList<string> strings, string field)
    {
        if (strings.Count == 0)
        {
            return PolicyTrace.Empty;
        }

        // a cluster has few distinct traces and every record repeats one: parse each once
        var cache = t_traces ??= new Dictionary<string, PolicyTrace>(StringComparer.Ordinal);
        var joined = strings.Count == 1 ? strings[0] : string.Join('\n', strings);
        if (cache.TryGetValue(joined, out var cached))
        {
            return cached;
        }

        var trace = ParseTrace(strings, field);
        if (cache.Count > 10_000)
        {
            cache.Clear();
        }

        cache[joined] = trace;
        return trace;
    }

    private static PolicyTrace ParseTrace(IReadOnlyList<string> strings, string field)
    {
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
