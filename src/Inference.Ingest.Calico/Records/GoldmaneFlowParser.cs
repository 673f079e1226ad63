using System.Globalization;
using System.Text.Json;
using Inference.Ingest.Calico.Policies;

namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Reads a Goldmane <c>Flow</c> as JSON in either rendering: protojson (camelCase, int64 as strings, enum names; what the
/// bridge writes) and the emitter's Go encoding/json (snake_case, integer enums, zero values omitted).
/// Goldmane flows never carry IPs or pod names: names are aggregated (<c>prefix-*</c>), <c>pub</c>/<c>pvt</c> for networks.
/// </summary>
internal static class GoldmaneFlowParser
{
    private const long NsPerSecond = 1_000_000_000;

    public static CalicoFlow Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new RecordException($"not valid JSON: {ex.Message}");
        }

        using (doc)
        {
            var flow = doc.RootElement;
            if (flow.ValueKind == JsonValueKind.Object && Get(flow, "flow", "flow") is { ValueKind: JsonValueKind.Object } inner && Get(flow, "Key", "key") is null)
            {
                // a FlowResult ({"id":..,"flow":{..}}) as grpcurl prints a Stream response
                flow = inner;
            }

            var key = Get(flow, "Key", "key") ?? throw JsonFields.Missing("Key");
            if (key.ValueKind != JsonValueKind.Object)
            {
                throw new RecordException("Key: expected an object");
            }

            var start = Long(flow, "start_time", "startTime", required: true);
            var end = Long(flow, "end_time", "endTime", required: true);
            if (end < start)
            {
                throw new RecordException($"end_time {end} is before start_time {start}");
            }

            var action = (PolicyAction)Enum(key, "action", "action", ActionName);
            if (action is not (PolicyAction.Allow or PolicyAction.Deny))
            {
                throw new RecordException("Key.action: neither Allow nor Deny");
            }

            var reporter = Enum(key, "reporter", "reporter", r => r switch { "Src" or "1" => (int)Reporter.Src + 1, "Dst" or "2" => (int)Reporter.Dst + 1, _ => 0 });
            if (reporter == 0)
            {
                throw new RecordException("Key.reporter: neither Src nor Dst");
            }

            var port = Long(key, "dest_port", "destPort", required: false);
            if (port is < 0 or > 65535)
            {
                throw new RecordException($"Key.dest_port: {port} is not a port");
            }

            var (enforced, pending) = Policies(Get(key, "policies", "policies"));
            return new CalicoFlow(
                start * NsPerSecond,
                end * NsPerSecond,
                (Reporter)(reporter - 1),
                Endpoint(key, flow, "source", "Source"),
                Endpoint(key, flow, "dest", "Dest"),
                CalicoNames.Protocol(Str(key, "proto", "proto") ?? throw JsonFields.Missing("Key.proto")),
                port == 0 ? null : (int)port,
                action,
                enforced,
                pending,
                Long(flow, "num_connections_started", "numConnectionsStarted", required: false));
        }
    }

    private static CalicoEndpoint Endpoint(JsonElement key, JsonElement flow, string snake, string camel)
    {
        var typeText = Get(key, snake + "_type", Lower(camel) + "Type") is { } t ? Scalar(t, $"Key.{snake}_type") : throw JsonFields.Missing($"Key.{snake}_type");
        var type = CalicoNames.EndpointType(typeText, $"Key.{snake}_type");
        var ns = Str(key, snake + "_namespace", Lower(camel) + "Namespace") ?? "";
        var name = Str(key, snake + "_name", Lower(camel) + "Name") ?? "";
        if (type == EndpointType.Workload && (ns.Length == 0 || name.Length == 0))
        {
            throw new RecordException($"Key.{snake}: a workload endpoint needs a namespace and a name");
        }

        var labels = Get(flow, snake + "_labels", Lower(camel) + "Labels") is { } l ? Intern(Strings(l, snake + "_labels")) : JsonFields.None;
        return EndpointCache.Get(type, ns.Length == 0 ? "-" : ns, name, null, null, labels, JsonFields.None);
    }

    private static (PolicyTrace, PolicyTrace) Policies(JsonElement? policies)
    {
        if (policies is not { ValueKind: JsonValueKind.Object } p)
        {
            return (PolicyTrace.Empty, PolicyTrace.Empty);
        }

        return (Trace(Get(p, "enforced_policies", "enforcedPolicies"), "Key.policies.enforced_policies"),
            Trace(Get(p, "pending_policies", "pendingPolicies"), "Key.policies.pending_policies"));
    }

    private static PolicyTrace Trace(JsonElement? hits, string field)
    {
        if (hits is not { } h || h.ValueKind == JsonValueKind.Null)
        {
            return PolicyTrace.Empty;
        }

        if (h.ValueKind != JsonValueKind.Array)
        {
            throw new RecordException($"{field}: expected an array of policy hits");
        }

        var result = new List<PolicyHit>();
        var i = 0;
        foreach (var e in h.EnumerateArray())
        {
            result.Add(Hit(e, $"{field}[{i++}]"));
        }

        return new PolicyTrace(result);
    }

    private static PolicyHit Hit(JsonElement e, string field)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new RecordException($"{field}: expected an object");
        }

        var kind = (PolicyKind)Enum(e, "kind", "kind", KindName);
        var tier = Str(e, "tier", "tier") ?? "";
        var ns = Str(e, "namespace", "namespace") ?? "";
        var name = Str(e, "name", "name") ?? "";
        var action = (PolicyAction)Enum(e, "action", "action", ActionName);
        var index = (int)Long(e, "policy_index", "policyIndex", required: false);
        var rule = (int)Long(e, "rule_index", "ruleIndex", required: false);
        var trigger = Get(e, "trigger", "trigger") is { ValueKind: JsonValueKind.Object } t ? Hit(t, field + ".trigger") : null;
        if (kind == PolicyKind.Profile && tier.Length == 0)
        {
            // Goldmane maps Felix's __PROFILE__ tier to ""; keep one spelling in the store
            tier = PolicyHit.ProfileTier;
        }

        if (rule == -1 && kind != PolicyKind.EndOfTier)
        {
            trigger ??= new PolicyHit(kind, ns, tier, name, PolicyAction.Unspecified, 0, null);
            return new PolicyHit(PolicyKind.EndOfTier, "", tier, "", action, index, -1, trigger);
        }

        return new PolicyHit(kind, ns, tier, PolicyHitParser.Normalize(kind, tier, name), action, index, rule, trigger);
    }

    private static int ActionName(string s) => s switch
    {
        "Allow" or "1" => 1,
        "Deny" or "2" => 2,
        "Pass" or "3" => 3,
        _ => 0,
    };

    private static int KindName(string s) => s switch
    {
        "CalicoNetworkPolicy" or "1" => 1,
        "GlobalNetworkPolicy" or "2" => 2,
        "StagedNetworkPolicy" or "3" => 3,
        "StagedGlobalNetworkPolicy" or "4" => 4,
        "StagedKubernetesNetworkPolicy" or "5" => 5,
        "NetworkPolicy" or "6" => 6,
        "Profile" or "9" => 9,
        "EndOfTier" or "10" => 10,
        "ClusterNetworkPolicy" or "11" => 11,
        _ => 0,
    };

    private static int Enum(JsonElement obj, string snake, string camel, Func<string, int> byName) =>
        Get(obj, snake, camel) is { } v ? byName(Scalar(v, snake)) : 0;

    private static string Scalar(JsonElement v, string field) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        _ => throw new RecordException($"{field}: expected a string or a number"),
    };

    private static long Long(JsonElement obj, string snake, string camel, bool required)
    {
        if (Get(obj, snake, camel) is not { } v)
        {
            return required ? throw JsonFields.Missing(snake) : 0;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            return n;
        }

        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
        {
            return n;
        }

        throw new RecordException($"{snake}: expected an integer");
    }

    private static string? Str(JsonElement obj, string snake, string camel) => Get(obj, snake, camel) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Null } => null,
        _ => throw new RecordException($"{snake}: expected a string"),
    };

    [ThreadStatic]
    private static Dictionary<string, IReadOnlyList<string>>? t_lists;

    /// <summary>One list instance per distinct label set: endpoints are cached by their lists' identity.</summary>
    private static IReadOnlyList<string> Intern(List<string> list)
    {
        if (list.Count == 0)
        {
            return JsonFields.None;
        }

        var cache = t_lists ??= new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var key = string.Join('\n', list);
        if (!cache.TryGetValue(key, out var shared))
        {
            if (cache.Count > 10_000)
            {
                cache.Clear();
            }

            shared = list;
            cache[key] = shared;
        }

        return shared;
    }

    private static List<string> Strings(JsonElement e, string field)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new RecordException($"{field}: expected an array of strings");
        }

        return e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new RecordException($"{field}: expected strings")).ToList();
    }

    private static JsonElement? Get(JsonElement obj, string snake, string camel) =>
        obj.ValueKind == JsonValueKind.Object && (obj.TryGetProperty(snake, out var v) || obj.TryGetProperty(camel, out v)) ? v : null;

    private static string Lower(string s) => char.ToLowerInvariant(s[0]) + s[1..];
}
