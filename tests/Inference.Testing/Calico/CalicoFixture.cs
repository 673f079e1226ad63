using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Inference.Testing.Calico;

/// <summary>
/// A deterministic Calico cluster: ~15 workloads at Felix's default aggregation (no IPs, <c>*_name</c> "-", pod-prefix
/// <c>*_name_aggr</c>), one record per reporter per 5-minute flush, policy strings rotating through the three generations,
/// external peers keyed by <c>dest_domains</c>, a staged deny (audit), an ingress deny, and malformed messages mixed in.
/// It knows the real connection count of every edge, which is what the consumer must reproduce.
/// </summary>
public sealed class CalicoFixture
{
    public const long Start = 1_767_225_600; // 2026-01-01T00:00:00Z
    public const int FlushSeconds = 300;

    private static readonly Workload Ingress = new("ingress", "ingress-nginx-5c9d7f6b8-*", ["app.kubernetes.io/name=ingress-nginx", "pod-template-hash=5c9d7f6b8"], "ingress-nginx", "Deployment");
    private static readonly Workload Frontend = new("shop", "frontend-7d4f8b9c6-*", ["app=frontend", "tier=web", "pod-template-hash=7d4f8b9c6"], "frontend", "Deployment");
    private static readonly Workload Cart = new("shop", "cart-6f8d9c7b5-*", ["app=cart", "pod-template-hash=6f8d9c7b5"], "cart", "Deployment");
    private static readonly Workload Catalog = new("shop", "catalog-84c5d6f7b9-*", ["app=catalog", "pod-template-hash=84c5d6f7b9"], "catalog", "Deployment");
    private static readonly Workload Checkout = new("shop", "checkout-5b7c8d9f6-*", ["app=checkout", "pod-template-hash=5b7c8d9f6"], "checkout", "Deployment");
    private static readonly Workload Payments = new("shop", "payments-7c6b5d4f8-*", ["app=payments", "pod-template-hash=7c6b5d4f8"], "payments", "Deployment");
    private static readonly Workload Email = new("shop", "email-9d8c7b6f5-*", ["app=email", "pod-template-hash=9d8c7b6f5"], "email", "Deployment");
    private static readonly Workload Recommend = new("shop", "recommend-6d5c4b7f9-*", ["app=recommend", "pod-template-hash=6d5c4b7f9"], "recommend", "Deployment");
    private static readonly Workload Search = new("shop", "search-5f6d7c8b9-*", ["app=search", "pod-template-hash=5f6d7c8b9"], "search", "Deployment");
    private static readonly Workload Redis0 = new("shop", "redis-0", ["app=redis", "controller-revision-hash=redis-7b9d5c", "statefulset.kubernetes.io/pod-name=redis-0"], "redis", "StatefulSet");
    private static readonly Workload Redis1 = new("shop", "redis-1", ["app=redis", "controller-revision-hash=redis-7b9d5c", "statefulset.kubernetes.io/pod-name=redis-1"], "redis", "StatefulSet");
    private static readonly Workload Postgres = new("shop", "postgres-0", ["app=postgres", "controller-revision-hash=postgres-5d8f9", "statefulset.kubernetes.io/pod-name=postgres-0"], "postgres", "StatefulSet");
    private static readonly Workload Report = new("shop", "report-29390400-*", ["app=report", "batch.kubernetes.io/job-name=report-29390400", "job-name=report-29390400"], "report", "CronJob");
    private static readonly Workload Prometheus = new("monitoring", "prometheus-0", ["app=prometheus", "statefulset.kubernetes.io/pod-name=prometheus-0"], "prometheus", "StatefulSet");
    private static readonly Workload NodeExporter = new("monitoring", "node-exporter-*", ["app=node-exporter", "controller-revision-hash=6b8d9f7c5", "pod-template-generation=2"], "node-exporter", "DaemonSet");
    private static readonly Workload CoreDns = new("kube-system", "coredns-668d6bf9bc-*", ["k8s-app=kube-dns", "pod-template-hash=668d6bf9bc"], "coredns", "Deployment");

    /// <summary>Every edge of the cluster; the expected edges of a run.</summary>
    public static IReadOnlyList<FixtureEdge> Edges { get; } =
    [
        new(Net("pvt"), Ingress, "tcp", 443, 30, Mode.DstOnly),
        new(Ingress, Frontend, "tcp", 8080, 25, Mode.Allow),
        new(Frontend, Cart, "tcp", 7070, 12, Mode.Allow),
        new(Frontend, Catalog, "tcp", 3550, 15, Mode.Allow),
        new(Frontend, Checkout, "tcp", 5050, 4, Mode.Allow),
        new(Frontend, Recommend, "tcp", 8080, 6, Mode.StagedDeny),
        new(Frontend, Search, "tcp", 9200, 5, Mode.Allow),
        new(Cart, Redis0, "tcp", 6379, 9, Mode.Allow),
        new(Cart, Redis1, "tcp", 6379, 7, Mode.Allow),
        new(Checkout, Payments, "tcp", 50051, 3, Mode.Allow),
        new(Checkout, Email, "tcp", 8080, 2, Mode.Allow),
        new(Checkout, Postgres, "tcp", 5432, 4, Mode.Allow),
        new(Catalog, Postgres, "tcp", 5432, 8, Mode.Allow),
        new(Report, Postgres, "tcp", 5432, 2, Mode.Hourly),
        new(Search, Payments, "tcp", 50051, 2, Mode.IngressDeny),
        new(Payments, Net("pub", "api.stripe.com"), "tcp", 443, 3, Mode.SrcOnly),
        new(Email, Net("pub", "smtp.sendgrid.net"), "tcp", 587, 2, Mode.SrcOnly),
        new(Frontend, CoreDns, "udp", 53, 20, Mode.Allow),
        new(Checkout, CoreDns, "udp", 53, 6, Mode.Allow),
        new(Prometheus, NodeExporter, "tcp", 9100, 4, Mode.Allow),
        new(Prometheus, Frontend, "tcp", 9090, 2, Mode.Allow),
    ];

    /// <summary>Records of <paramref name="intervals"/> 5-minute flushes from <see cref="Start"/>; every <paramref name="badEvery"/>-th message malformed (0: none).</summary>
    public static FixtureRun Generate(int intervals, int badEvery = 0)
    {
        var messages = new List<string>();
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        var bad = 0;
        for (var i = 0; i < intervals; i++)
        {
            var start = Start + ((long)i * FlushSeconds);
            var generation = i * 3 / Math.Max(intervals, 1); // the first third 4-field strings, then legacy, then modern
            foreach (var edge in Edges)
            {
                if (edge.Mode == Mode.Hourly && i % 12 != 0)
                {
                    continue;
                }

                var n = Count(edge, i);
                var key = edge.ExpectedKey;
                expected[key] = expected.GetValueOrDefault(key) + n;
                if (edge.Mode != Mode.DstOnly)
                {
                    messages.Add(Record(edge, start, "src", n, generation, i));
                }

                if (edge.Mode is not (Mode.SrcOnly))
                {
                    messages.Add(Record(edge, start, "dst", n, generation, i));
                }

                if (badEvery > 0 && messages.Count % badEvery == 0)
                {
                    messages.Add(Malformed(bad++));
                }
            }
        }

        return new FixtureRun(messages, expected, bad);
    }

    /// <summary>Real connections of an edge in one interval; some intervals have none started (a long connection kept open).</summary>
    private static int Count(FixtureEdge edge, int interval)
    {
        var h = (uint)((edge.Port * 31) + (interval * 17) + (edge.Rate * 7)) ^ (uint)(interval * 7919);
        return (int)(h % (uint)(edge.Rate + 1));
    }

    private static string Record(FixtureEdge e, long start, string reporter, int n, int generation, int interval)
    {
        var (action, enforced, pending) = Policies(e, reporter, generation);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("start_time", start);
            w.WriteNumber("end_time", start + FlushSeconds);
            Endpoint(w, "source", e.Source, null);
            w.WriteNull("nat_outgoing_ports");
            Endpoint(w, "dest", e.Destination, e.Port);
            w.WriteString("dest_service_namespace", "-");
            w.WriteString("dest_service_name", "-");
            w.WriteString("dest_service_port", "-");
            w.WriteNull("dest_service_port_num");
            if (e.Destination.Domain is { } domain)
            {
                w.WriteStartArray("dest_domains");
                w.WriteStringValue(domain);
                w.WriteEndArray();
            }
            else
            {
                w.WriteNull("dest_domains");
            }

            w.WriteString("proto", e.Proto);
            w.WriteString("action", action);
            w.WriteString("reporter", reporter);
            w.WriteStartObject("policies");
            Strings(w, "enforced_policies", enforced);
            Strings(w, "pending_policies", pending);
            w.WriteStartArray("transit_policies");
            w.WriteEndArray();
            w.WriteEndObject();
            var packets = (long)n * 12;
            w.WriteNumber("bytes_in", packets * 310);
            w.WriteNumber("bytes_out", packets * 95);
            w.WriteNumber("num_flows", n);
            w.WriteNumber("num_flows_started", n);
            w.WriteNumber("num_flows_completed", Math.Max(0, n - (interval % 2)));
            w.WriteNumber("packets_in", packets);
            w.WriteNumber("packets_out", packets);
            w.WriteNumber("http_requests_allowed_in", 0);
            w.WriteNumber("http_requests_denied_in", 0);
            w.WriteString("process_name", "-");
            w.WriteNumber("num_process_names", 0);
            w.WriteString("process_id", "-");
            w.WriteNumber("num_process_ids", 0);
            w.WriteNull("original_source_ips");
            w.WriteNumber("num_original_source_ips", 0);
            w.WriteString("host", reporter == "src" ? NodeOf(e.Source) : NodeOf(e.Destination));
            w.WriteNumber("@timestamp", (start + FlushSeconds) * 1000);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string NodeOf(Workload w) => "node-" + ((uint)w.NameAggr.Length % 3).ToString(CultureInfo.InvariantCulture);

    private static void Endpoint(Utf8JsonWriter w, string side, Workload e, int? port)
    {
        w.WriteNull(side + "_ip");
        w.WriteString(side + "_name", "-");
        w.WriteString(side + "_name_aggr", e.NameAggr);
        w.WriteString(side + "_namespace", e.Namespace);
        if (side == "source")
        {
            w.WriteNull("source_port");
        }
        else
        {
            w.WriteNumber("dest_port", port ?? 0);
        }

        w.WriteString(side + "_type", e.Type);
        if (e.Labels.Count == 0)
        {
            w.WriteNull(side + "_labels");
        }
        else
        {
            w.WriteStartObject(side + "_labels");
            Strings(w, "labels", e.Labels);
            w.WriteEndObject();
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>The policy traces of one record in the string generation of its day.</summary>
    private static (string Action, string[] Enforced, string[] Pending) Policies(FixtureEdge e, string reporter, int generation)
    {
        var ns = reporter == "src" ? e.Source.Namespace : e.Destination.Namespace;
        if (ns == "-")
        {
            ns = e.Destination.Namespace;
        }

        var profile = generation switch
        {
            0 => $"0|__PROFILE__|__PROFILE__.kns.{ns}|allow",
            1 => $"0|__PROFILE__|__PROFILE__.kns.{ns}|allow|0",
            _ => $"0|__PROFILE__|pro:kns.{ns}|allow|0",
        };
        var allowKnp = generation switch
        {
            0 => $"0|default|{ns}/knp.default.allow-{e.Destination.Owner}|allow",
            1 => $"0|default|{ns}/knp.default.allow-{e.Destination.Owner}|allow|0",
            _ => $"0|default|knp:{ns}/allow-{e.Destination.Owner}|allow|0",
        };
        switch (e.Mode)
        {
            case Mode.StagedDeny when reporter == "dst":
                var staged = generation switch
                {
                    0 => $"0|security|{ns}/staged:security.lockdown|deny",
                    1 => $"0|security|{ns}/security.staged:lockdown|deny|-1",
                    _ => $"0|security|snp:{ns}/security.lockdown|deny|-1",
                };
                return ("allow", [allowKnp], [staged]);
            case Mode.IngressDeny when reporter == "dst":
                var deny = generation switch
                {
                    0 => $"0|default|{ns}/default.deny-search|deny",
                    1 => $"0|default|{ns}/default.deny-search|deny|1",
                    _ => $"0|default|np:{ns}/deny-search|deny|1",
                };
                return ("deny", [deny], [deny]);
            default:
                return reporter == "dst" && e.Destination.Type == "wep" ? ("allow", [allowKnp], [allowKnp]) : ("allow", [profile], [profile]);
        }
    }

    private static string Malformed(int i) => (i % 5) switch
    {
        0 => "this is not json " + i.ToString(CultureInfo.InvariantCulture),
        1 => """{"start_time":"yesterday","end_time":1767225900,"source_type":"wep"}""",
        2 => """{"start_time":1767225600,"end_time":1767225900,"source_type":"wep","source_namespace":"shop","source_name_aggr":"x-*","dest_type":"wep","dest_namespace":"shop","dest_name_aggr":"y-*","proto":"tcp","action":"allow","reporter":"src"}""",
        3 => """{"start_time":1767225600,"end_time":1767225900,"source_type":"wep","source_namespace":"shop","source_name_aggr":"x-*","dest_type":"wep","dest_namespace":"shop","dest_name_aggr":"y-*","dest_port":80,"proto":"tcp","action":"allow","reporter":"src","num_flows_started":1,"policies":{"enforced_policies":["0|default|broken"]}}""",
        _ => """[1,2,3]""",
    };

    private static Workload Net(string aggr, string? domain = null) => new("-", aggr, [], aggr, "net") { Type = "net", Domain = domain };

    public enum Mode
    {
        Allow,
        StagedDeny,
        IngressDeny,
        SrcOnly,
        DstOnly,
        Hourly,
    }

    public sealed record Workload(string Namespace, string NameAggr, IReadOnlyList<string> Labels, string Owner, string Kind)
    {
        public string Type { get; init; } = "wep";
        public string? Domain { get; init; }

        /// <summary>How `inference edges -o json` names this end: ns/owner (Kind), or world:/private: for networks.</summary>
        public string Expected => Type == "net" ? (Owner == "pvt" ? "private:" : "world:") + (Domain ?? "") : $"{Namespace}/{Owner} ({Kind})";
    }

    public sealed record FixtureEdge(Workload Source, Workload Destination, string Proto, int Port, int Rate, Mode Mode)
    {
        /// <summary><c>source -> destination PROTO/port</c>, the EdgeKey's string form.</summary>
        public string ExpectedKey => $"{Source.Expected} -> {Destination.Expected} {Proto.ToUpperInvariant()}/{Port.ToString(CultureInfo.InvariantCulture)}";

        /// <summary>The verdict every connection of this edge is stored under.</summary>
        public string Verdict => Mode switch
        {
            Mode.StagedDeny => "AUDIT",
            Mode.IngressDeny => "DROPPED",
            _ => "FORWARDED",
        };
    }
}

/// <summary>Messages in production order, the real connections per edge (EdgeKey string), and how many messages are malformed.</summary>
public sealed record FixtureRun(IReadOnlyList<string> Messages, IReadOnlyDictionary<string, long> ExpectedConnections, int Malformed);
