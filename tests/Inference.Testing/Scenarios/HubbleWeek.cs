using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Inference.Testing.Scenarios;

/// <summary>One end of a scenario connection: a pod (namespace, workload, pod name, labels, IP) or an entity.</summary>
public sealed record ScenarioEndpoint(string? Namespace, string? Workload, string? Kind, string? Pod, string Ip, IReadOnlyList<string> Labels, uint Identity)
{
    public static ScenarioEndpoint ForPod(string ns, string workload, string kind, string pod, string ip, params string[] podLabels) =>
        new(ns, workload, kind, pod, ip,
            podLabels.Select(l => "k8s:" + l)
                .Concat([$"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={ns}", "k8s:io.cilium.k8s.policy.cluster=default",
                    $"k8s:io.cilium.k8s.policy.serviceaccount={workload}", $"k8s:io.kubernetes.pod.namespace={ns}"])
                .Order(StringComparer.Ordinal).ToArray(), (uint)(1000 + Math.Abs(StringComparer.Ordinal.GetHashCode(ns + workload)) % 60000));

    public static ScenarioEndpoint Host(string ip) => new(null, null, null, null, ip, ["reserved:host"], 1);
    public static ScenarioEndpoint World(string ip) => new(null, null, null, null, ip, ["reserved:world"], 2);
}

/// <summary>A connection that happened, with the verdict the cluster gave it: the ground truth a test compares edges with.</summary>
public sealed record ScenarioConnection(ScenarioEndpoint Source, ScenarioEndpoint Destination, string Protocol, int Port, int SourcePort, DateTimeOffset Time,
    string Verdict, string? DnsQuery = null, IReadOnlyList<string>? DnsAnswers = null);

/// <summary>
/// A week of a small cluster (~15 workloads in 5 namespaces) rendered as `hubble observe -o jsonpb` lines the way Hubble
/// reports real connections: several trace points on both nodes, a policy verdict, replies and SYN-ACKs, DNS L7 records,
/// kubelet probes, rollouts (new pod names), a nightly CronJob, and a call to an external API after resolving it.
/// </summary>
public static class HubbleWeek
{
    public static readonly DateTimeOffset Start = new(2026, 11, 16, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<ScenarioConnection> Connections(int days = 7, int seed = 42)
    {
        var rng = new Random(seed);
        var result = new List<ScenarioConnection>();
        var ipCounter = 10;
        string NextIp() => $"10.0.{ipCounter / 250}.{(ipCounter++ % 250) + 1}";

        ScenarioEndpoint Deploy(string ns, string name, int revision, int replica, params string[] labels)
        {
            var hash = Hash(name + revision, 9);
            return ScenarioEndpoint.ForPod(ns, name, "Deployment", $"{name}-{hash}-{Hash(name + revision + replica, 5)}", NextIp(),
                [.. labels, $"pod-template-hash={hash}"]);
        }

        var dns = ScenarioEndpoint.ForPod("kube-system", "coredns", "Deployment", "coredns-5d78c9869d-x7k2p", "10.0.0.10", "k8s-app=kube-dns", "pod-template-hash=5d78c9869d");
        var kafka = ScenarioEndpoint.ForPod("data", "kafka", "StatefulSet", "kafka-0", "10.0.9.20", "app.kubernetes.io/name=kafka", "statefulset.kubernetes.io/pod-name=kafka-0", "controller-revision-hash=kafka-7c9f");
        var postgres = ScenarioEndpoint.ForPod("data", "postgres", "StatefulSet", "postgres-0", "10.0.9.21", "app.kubernetes.io/name=postgres", "statefulset.kubernetes.io/pod-name=postgres-0", "controller-revision-hash=pg-5d8");
        var redis = ScenarioEndpoint.ForPod("shop", "redis", "StatefulSet", "redis-0", "10.0.9.22", "app=redis", "statefulset.kubernetes.io/pod-name=redis-0", "controller-revision-hash=redis-6b7");
        var prometheus = ScenarioEndpoint.ForPod("monitoring", "prometheus", "StatefulSet", "prometheus-0", "10.0.9.23", "app.kubernetes.io/name=prometheus", "statefulset.kubernetes.io/pod-name=prometheus-0", "controller-revision-hash=prom-1");
        var ingress = ScenarioEndpoint.ForPod("ingress-nginx", "ingress-nginx-controller", "Deployment", "ingress-nginx-controller-6f7d8c9b5-q2w4e", "10.0.9.24", "app.kubernetes.io/name=ingress-nginx", "pod-template-hash=6f7d8c9b5");
        var stripe = ScenarioEndpoint.World("52.1.2.3");

        for (var day = 0; day < days; day++)
        {
            // a rollout every other day: new ReplicaSet hash, new pod names and IPs, same workloads
            var revision = day / 2;
            var frontend = Deploy("shop", "frontend", revision, 0, "app.kubernetes.io/name=frontend", "app.kubernetes.io/version=" + revision);
            var cart = Deploy("shop", "cart", revision, 0, "app.kubernetes.io/name=cart");
            var checkout = Deploy("shop", "checkout", revision, 0, "app.kubernetes.io/name=checkout");
            var payment = Deploy("payments", "payment", revision, 0, "app=payment");
            var orders = Deploy("payments", "orders", revision, 0, "app=orders");
            var stranger = Deploy("shop", "stranger", revision, 0, "app=stranger");
            var node = ScenarioEndpoint.Host("192.168.1.10");
            var dayStart = Start.AddDays(day);
            for (var hour = 0; hour < 24; hour += 3)
            {
                var t = dayStart.AddHours(hour).AddMinutes(rng.Next(0, 50));
                var port = () => 32768 + rng.Next(0, 28000);
                result.Add(new(ingress, frontend, "TCP", 8080, port(), t, "FORWARDED"));
                result.Add(new(frontend, dns, "UDP", 53, port(), t.AddSeconds(1), "FORWARDED", "cart.shop.svc.cluster.local.", ["10.96.0.20"]));
                result.Add(new(frontend, cart, "TCP", 7070, port(), t.AddSeconds(2), "FORWARDED"));
                result.Add(new(cart, redis, "TCP", 6379, port(), t.AddSeconds(3), "FORWARDED"));
                result.Add(new(frontend, checkout, "TCP", 5050, port(), t.AddSeconds(4), "AUDIT"));
                result.Add(new(checkout, payment, "TCP", 50051, port(), t.AddSeconds(5), "FORWARDED"));
                result.Add(new(payment, dns, "UDP", 53, port(), t.AddSeconds(6), "FORWARDED", "api.stripe.com.", ["52.1.2.3"]));
                result.Add(new(payment, stripe, "TCP", 443, port(), t.AddSeconds(7), "FORWARDED"));
                result.Add(new(checkout, orders, "TCP", 8080, port(), t.AddSeconds(8), "FORWARDED"));
                result.Add(new(orders, postgres, "TCP", 5432, port(), t.AddSeconds(9), "FORWARDED"));
                result.Add(new(orders, kafka, "TCP", 9092, port(), t.AddSeconds(10), "FORWARDED"));
                result.Add(new(prometheus, frontend, "TCP", 9090, port(), t.AddSeconds(11), "FORWARDED"));
                result.Add(new(node, frontend, "TCP", 8080, port(), t.AddSeconds(12), "FORWARDED"));
                result.Add(new(stranger, payment, "TCP", 50051, port(), t.AddSeconds(13), "DROPPED"));
            }

            // the nightly CronJob: a new Job and pod name every night
            var minutes = (long)(dayStart.AddHours(2) - DateTimeOffset.UnixEpoch).TotalMinutes;
            var job = $"report-{minutes}";
            var report = ScenarioEndpoint.ForPod("batch", "report", "CronJob", $"{job}-{Hash(job, 5)}", NextIp(), "app=report", $"job-name={job}", $"batch.kubernetes.io/job-name={job}", "controller-uid=" + Hash(job, 8));
            result.Add(new(report, postgres, "TCP", 5432, 40000 + day, dayStart.AddHours(2).AddMinutes(1), "FORWARDED"));
        }

        return result;
    }

    /// <summary>The lines Hubble would print for these connections, in time order as a relay would merge them.</summary>
    public static IReadOnlyList<(DateTimeOffset Time, string Json)> Render(IEnumerable<ScenarioConnection> connections)
    {
        var lines = new List<(DateTimeOffset, string)>();
        var n = 0;
        foreach (var c in connections)
        {
            var t = c.Time;
            var srcNode = "kind-worker";
            var dstNode = "kind-worker2";
            string Id() => Guid.NewGuid().ToString();
            void Emit(DateTimeOffset at, Action<Utf8JsonWriter, DateTimeOffset> flow, string node)
            {
                lines.Add((at, Line(at, node, flow)));
                n++;
            }

            if (c.Protocol == "UDP")
            {
                Emit(t, (w, at) => Flow(w, at, c, false, "FORWARDED", 5, "EGRESS", null, null, Id()), srcNode);
                Emit(t.AddMilliseconds(1), (w, at) => Flow(w, at, c, false, "FORWARDED", 129, "EGRESS", null, w2 => Dns(w2, c, false), Id()), srcNode);
                Emit(t.AddMilliseconds(2), (w, at) => Flow(w, at, c, false, "FORWARDED", 4, "INGRESS", "TO_ENDPOINT", null, Id()), dstNode);
                Emit(t.AddMilliseconds(3), (w, at) => Flow(w, at, c, true, "FORWARDED", 129, "EGRESS", null, w2 => Dns(w2, c, true), Id()), srcNode);
                Emit(t.AddMilliseconds(4), (w, at) => Flow(w, at, c, true, "FORWARDED", 4, "INGRESS", "TO_ENDPOINT", null, Id()), srcNode);
                continue;
            }

            var verdictEvent = c.Verdict;
            Emit(t, (w, at) => Flow(w, at, c, false, verdictEvent, 5, "INGRESS", null, null, Id(), syn: true), dstNode);
            if (c.Verdict == "DROPPED")
            {
                // a dropped SYN is retried: same 5-tuple, a second later
                Emit(t.AddSeconds(1), (w, at) => Flow(w, at, c, false, "DROPPED", 1, "INGRESS", null, null, Id(), syn: true), dstNode);
                continue;
            }

            // TO_OVERLAY trace events carry no is_reply and no direction
            Emit(t.AddMilliseconds(1), (w, at) => Flow(w, at, c, null, "FORWARDED", 4, null, "TO_OVERLAY", null, Id(), syn: true), srcNode);
            Emit(t.AddMilliseconds(2), (w, at) => Flow(w, at, c, false, "FORWARDED", 4, "INGRESS", "TO_ENDPOINT", null, Id(), syn: true), dstNode);
            Emit(t.AddMilliseconds(3), (w, at) => Flow(w, at, c, true, "FORWARDED", 4, "EGRESS", "TO_OVERLAY", null, Id(), syn: true, ack: true), dstNode);
            Emit(t.AddMilliseconds(4), (w, at) => Flow(w, at, c, null, "FORWARDED", 4, null, "TO_OVERLAY", null, Id(), ack: true, replyAck: true), dstNode);
            Emit(t.AddMilliseconds(5), (w, at) => Flow(w, at, c, false, "FORWARDED", 4, "EGRESS", "TO_STACK", null, Id(), ack: true), srcNode);
        }

        return lines.OrderBy(l => l.Item1).ToList();
    }

    private static string Line(DateTimeOffset at, string node, Action<Utf8JsonWriter, DateTimeOffset> flow)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WritePropertyName("flow");
            flow(w, at);
            w.WriteString("node_name", node);
            w.WriteString("time", Time(at));
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>One Flow object. <paramref name="reply"/>: true renders the packet from the server back to the client.</summary>
    private static void Flow(Utf8JsonWriter w, DateTimeOffset at, ScenarioConnection c, bool? reply, string verdict, int eventType, string? direction, string? point,
        Action<Utf8JsonWriter>? l7, string uuid, bool syn = false, bool ack = false, bool replyAck = false)
    {
        // replyAck: a TO_OVERLAY packet of the server's answer with no is_reply: only the ports tell
        var fromServer = reply == true || replyAck;
        var (src, dst) = fromServer ? (c.Destination, c.Source) : (c.Source, c.Destination);
        var (sport, dport) = fromServer ? (c.Port, c.SourcePort) : (c.SourcePort, c.Port);
        w.WriteStartObject();
        w.WriteString("time", Time(at));
        w.WriteString("uuid", uuid);
        w.WriteString("verdict", verdict);
        if (verdict == "DROPPED")
        {
            w.WriteNumber("drop_reason", 133);
        }

        w.WriteStartObject("IP");
        w.WriteString("source", src.Ip);
        w.WriteString("destination", dst.Ip);
        w.WriteString("ipVersion", "IPv4");
        w.WriteEndObject();
        w.WriteStartObject("l4");
        w.WriteStartObject(c.Protocol);
        w.WriteNumber("source_port", sport);
        w.WriteNumber("destination_port", dport);
        if (syn || ack)
        {
            w.WriteStartObject("flags");
            if (syn) w.WriteBoolean("SYN", true);
            if (ack) w.WriteBoolean("ACK", true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
        Endpoint(w, "source", src);
        Endpoint(w, "destination", dst);
        w.WriteString("Type", l7 is null ? "L3_L4" : "L7");
        if (l7 is not null)
        {
            w.WriteStartObject("l7");
            l7(w);
            w.WriteEndObject();
        }

        w.WriteStartObject("event_type");
        w.WriteNumber("type", eventType);
        w.WriteEndObject();
        if (direction is not null)
        {
            w.WriteString("traffic_direction", direction);
        }

        if (point is not null)
        {
            w.WriteString("trace_observation_point", point);
        }

        if (verdict == "DROPPED")
        {
            w.WriteString("drop_reason_desc", "POLICY_DENIED");
        }

        if (reply is not null)
        {
            w.WriteBoolean("is_reply", reply.Value);
        }

        w.WriteString("Summary", "TCP Flags: SYN");
        w.WriteEndObject();
    }

    private static void Endpoint(Utf8JsonWriter w, string property, ScenarioEndpoint e)
    {
        w.WriteStartObject(property);
        w.WriteNumber("identity", e.Identity);
        if (e.Namespace is not null)
        {
            w.WriteString("namespace", e.Namespace);
        }

        w.WriteStartArray("labels");
        foreach (var label in e.Labels)
        {
            w.WriteStringValue(label);
        }

        w.WriteEndArray();
        if (e.Pod is not null)
        {
            w.WriteString("pod_name", e.Pod);
        }

        w.WriteEndObject();
    }

    private static void Dns(Utf8JsonWriter w, ScenarioConnection c, bool response)
    {
        w.WriteString("type", response ? "RESPONSE" : "REQUEST");
        w.WriteStartObject("dns");
        w.WriteString("query", c.DnsQuery);
        if (response)
        {
            w.WriteStartArray("ips");
            foreach (var ip in c.DnsAnswers ?? [])
            {
                w.WriteStringValue(ip);
            }

            w.WriteEndArray();
            w.WriteNumber("ttl", 30);
        }

        w.WriteStartArray("qtypes");
        w.WriteStringValue("A");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    /// <summary>A deterministic name suffix in Kubernetes' safe alphabet.</summary>
    public static string Hash(string seed, int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var h = 14695981039346656037UL;
        foreach (var ch in seed)
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            sb.Append(alphabet[(int)(h % (ulong)alphabet.Length)]);
            h = (h / (ulong)alphabet.Length) ^ (h * 31);
        }

        return sb.ToString();
    }
}
