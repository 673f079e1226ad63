using System.Buffers.Binary;
using System.Text;
using Cilium.Flow;
using Cilium.Observer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// Realistic synthetic Hubble traffic: ~21 workloads over 8 namespaces with labels shaped like the real captures,
/// TCP connections seen at several observation points (egress/ingress policy verdicts, overlay, endpoint), replies,
/// policy-denied drops, DNS with L7 request/response, kubelet probes from reserved:host. Every connection has its own
/// 5-tuple; connections are spread evenly over <see cref="Span"/> and cycle through a fixed edge schedule, so N and
/// 5N connections over the same span give the same edges in the same time buckets.
/// </summary>
internal sealed class SyntheticHubble
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly List<EdgeSpec> _schedule = [];
    private readonly Dictionary<string, string> _nodeIps = [];
    private readonly Dictionary<string, Endpoint> _hostEndpoints = [];

    public SyntheticHubble()
    {
        string[] nodes = ["ip-10-0-1-17.eu-west-1.compute.internal", "ip-10-0-2-201.eu-west-1.compute.internal", "ip-10-0-3-88.eu-west-1.compute.internal"];
        for (var n = 0; n < nodes.Length; n++)
        {
            _nodeIps[nodes[n]] = $"10.0.{n + 1}.{17 + (n * 92)}";
            _hostEndpoints[nodes[n]] = new Endpoint { ID = 0, Identity = 1, Labels = { "reserved:host" } };
        }

        var pods = new Dictionary<string, Pod[]>();
        var podIndex = 0;
        var identity = 10_000u;
        void Add(string ns, string app, int replicas, string kind, string sa, string? version = null, string? extraLabel = null)
        {
            identity += 137;
            var hash = $"{StableHash(app) % 0xfffffff:x7}"[..7];
            var list = new Pod[replicas];
            for (var r = 0; r < replicas; r++)
            {
                var name = kind switch
                {
                    "StatefulSet" => $"{app}-{r}",
                    "DaemonSet" => $"{app}-{(char)('a' + r)}{(char)('k' + r)}x{r}q",
                    _ => $"{app}-{hash}{r % 10}-{(char)('b' + (r * 7 % 20))}{(char)('c' + (r * 3 % 20))}{r}z{(char)('m' + r)}",
                };
                var node = nodes[podIndex % nodes.Length];
                var labels = new List<string>
                {
                    app == "coredns" ? "k8s:k8s-app=kube-dns" : $"k8s:app={app}",
                    $"k8s:app.kubernetes.io/name={app}",
                    $"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={ns}",
                    "k8s:io.cilium.k8s.policy.cluster=prod-eu-west-1",
                    $"k8s:io.cilium.k8s.policy.serviceaccount={sa}",
                    $"k8s:io.kubernetes.pod.namespace={ns}",
                };
                if (version is not null)
                {
                    labels.Add($"k8s:version={version}");
                }

                if (extraLabel is not null)
                {
                    labels.Add(extraLabel);
                }

                labels.Sort(StringComparer.Ordinal);
                var workloadName = kind == "Deployment" ? app : app;
                var endpoint = new Endpoint
                {
                    ID = (uint)(100 + (podIndex * 37 % 3900)),
                    Identity = identity,
                    Namespace = ns,
                    PodName = name,
                    Labels = { labels },
                    Workloads = { new Cilium.Flow.Workload { Name = workloadName, Kind = kind } },
                };
                var ip = $"10.244.{podIndex % nodes.Length}.{10 + (podIndex * 11 % 240)}";
                var mac = $"{0x0a:x2}:{podIndex:x2}:{(podIndex * 7) & 0xff:x2}:3e:{(podIndex * 13) & 0xff:x2}:{(podIndex * 29) & 0xff:x2}";
                list[r] = new Pod(ns, app, name, ip, mac, node, endpoint);
                podIndex++;
            }

            pods[app] = list;
        }

        Add("ingress-nginx", "ingress-nginx-controller", 2, "Deployment", "ingress-nginx", extraLabel: "k8s:app.kubernetes.io/component=controller");
        Add("shop", "frontend", 3, "Deployment", "frontend", "v3");
        Add("shop", "cart", 2, "Deployment", "cart", "v2");
        Add("shop", "catalog", 2, "Deployment", "catalog", "v1");
        Add("shop", "checkout", 2, "Deployment", "checkout", "v1");
        Add("shop", "payments", 2, "Deployment", "payments", "v4", "k8s:pci=true");
        Add("shop", "orders", 2, "Deployment", "orders", "v2");
        Add("shop", "recommendations", 2, "Deployment", "recommendations", "v1");
        Add("data", "postgres", 1, "StatefulSet", "postgres", extraLabel: "k8s:app.kubernetes.io/component=primary");
        Add("data", "redis", 1, "StatefulSet", "redis", extraLabel: "k8s:app.kubernetes.io/component=master");
        Add("data", "kafka", 3, "StatefulSet", "kafka", extraLabel: "k8s:strimzi.io/cluster=events");
        Add("auth", "keycloak", 2, "Deployment", "keycloak");
        Add("monitoring", "prometheus", 1, "StatefulSet", "prometheus-k8s", extraLabel: "k8s:app.kubernetes.io/part-of=kube-prometheus");
        Add("monitoring", "grafana", 1, "Deployment", "grafana", extraLabel: "k8s:app.kubernetes.io/part-of=kube-prometheus");
        Add("monitoring", "alertmanager", 1, "StatefulSet", "alertmanager-main", extraLabel: "k8s:app.kubernetes.io/part-of=kube-prometheus");
        Add("kube-system", "coredns", 2, "Deployment", "coredns");
        Add("kube-system", "metrics-server", 1, "Deployment", "metrics-server");
        Add("logging", "loki", 1, "StatefulSet", "loki");
        Add("logging", "fluent-bit", 3, "DaemonSet", "fluent-bit");
        Add("batch", "reporter", 1, "Deployment", "reporter");
        Add("batch", "invoice-mailer", 1, "Deployment", "invoice-mailer");
        Workloads = pods.Count;

        void Edge(string from, string to, int port, Kind kind = Kind.Tcp, int weight = 1)
        {
            var spec = new EdgeSpec(from == "host" ? null : pods[from], pods[to], port, kind);
            for (var w = 0; w < weight; w++)
            {
                _schedule.Add(spec);
            }
        }

        Edge("ingress-nginx-controller", "frontend", 8080, weight: 4);
        Edge("frontend", "catalog", 8080, weight: 3);
        Edge("frontend", "cart", 8080, weight: 2);
        Edge("frontend", "checkout", 8080);
        Edge("frontend", "recommendations", 8080, weight: 2);
        Edge("frontend", "keycloak", 8443);
        Edge("checkout", "payments", 8443);
        Edge("checkout", "orders", 8080);
        Edge("checkout", "cart", 8080);
        Edge("cart", "redis", 6379, weight: 3);
        Edge("catalog", "postgres", 5432, weight: 2);
        Edge("orders", "postgres", 5432);
        Edge("orders", "kafka", 9092);
        Edge("payments", "kafka", 9092);
        Edge("recommendations", "catalog", 8080);
        Edge("keycloak", "postgres", 5432);
        Edge("reporter", "postgres", 5432);
        Edge("invoice-mailer", "orders", 8080);
        Edge("grafana", "prometheus", 9090);
        Edge("grafana", "loki", 3100);
        Edge("prometheus", "alertmanager", 9093);
        Edge("fluent-bit", "loki", 3100, weight: 2);
        Edge("metrics-server", "frontend", 10250);
        foreach (var scraped in new[] { "frontend", "cart", "catalog", "checkout", "payments", "orders", "recommendations", "kafka", "keycloak", "coredns", "loki" })
        {
            Edge("prometheus", scraped, scraped == "coredns" ? 9153 : 9102);
        }

        Edge("recommendations", "payments", 8443, Kind.Denied);
        Edge("reporter", "redis", 6379, Kind.Denied);
        foreach (var client in new[] { "frontend", "cart", "catalog", "checkout", "payments", "orders", "recommendations", "keycloak", "reporter", "invoice-mailer", "grafana", "prometheus", "fluent-bit" })
        {
            Edge(client, "coredns", 53, Kind.Dns, client is "frontend" or "checkout" ? 2 : 1);
        }

        foreach (var (app, _) in pods)
        {
            Edge("host", app, app is "postgres" or "redis" or "kafka" ? 8081 : 8080, Kind.Probe);
        }

        Services = pods.ToDictionary(p => p.Key, p => $"{p.Key}.{p.Value[0].Namespace}.svc.cluster.local.");
    }

    private enum Kind
    {
        Tcp,
        Denied,
        Dns,
        Probe,
    }

    private sealed record Pod(string Namespace, string App, string Name, string Ip, string Mac, string Node, Endpoint Endpoint);

    private sealed record EdgeSpec(Pod[]? Clients, Pod[] Servers, int Port, Kind Kind);

    private Dictionary<string, string> Services { get; }

    public int Workloads { get; }

    /// <summary>Distinct (client workload, server workload, port) pairs the schedule cycles through.</summary>
    public int Edges => _schedule.Distinct().Count();

    public DateTime Start { get; init; } = new(2025, 3, 3, 6, 0, 0, DateTimeKind.Utc);

    /// <summary>The connections are spread evenly over this span (hour buckets: the same buckets for N and 5N).</summary>
    public TimeSpan Span { get; init; } = TimeSpan.FromHours(6);

    /// <summary>GetFlowsResponses of <paramref name="connections"/> connections spread over <see cref="Span"/>, in time order per connection.</summary>
    public IEnumerable<GetFlowsResponse> Responses(long connections)
    {
        var startNs = (Start.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        var stepNs = (long)(Span.TotalNanoseconds / connections);
        var batch = new List<GetFlowsResponse>(16);
        for (long i = 0; i < connections; i++)
        {
            batch.Clear();
            Connection(i, startNs + (i * stepNs), batch);
            foreach (var r in batch)
            {
                yield return r;
            }
        }
    }

    /// <summary>How many connections make about <paramref name="bytes"/> of <c>-o jsonpb</c> lines.</summary>
    public long ConnectionsForJsonBytes(long bytes)
    {
        var (perConnBytes, _) = Calibrate();
        return Math.Max(1, (long)(bytes / perConnBytes));
    }

    /// <summary>How many connections make about <paramref name="flows"/> flows.</summary>
    public long ConnectionsForFlows(long flows)
    {
        var (_, perConnFlows) = Calibrate();
        return Math.Max(1, (long)(flows / perConnFlows));
    }

    private (double Bytes, double Flows) Calibrate()
    {
        var sample = _schedule.Count * 20;
        long bytes = 0, flows = 0;
        var list = new List<GetFlowsResponse>();
        for (var i = 0; i < sample; i++)
        {
            list.Clear();
            Connection(i, 1_700_000_000_000_000_000 + (i * 1_000_000_000L), list);
            foreach (var r in list)
            {
                bytes += Encoding.UTF8.GetByteCount(Json.Format(r)) + 1;
                flows++;
            }
        }

        return ((double)bytes / sample, (double)flows / sample);
    }

    /// <summary>Writes <c>-o jsonpb</c> lines; returns (flows, bytes).</summary>
    public static (long Flows, long Bytes) WriteJsonLines(string path, IEnumerable<GetFlowsResponse> responses)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
        long flows = 0;
        foreach (var r in responses)
        {
            Json.Format(r, writer);
            writer.Write('\n');
            flows++;
        }

        writer.Flush();
        return (flows, stream.Length);
    }

    /// <summary>Writes the responses pre-serialized as gRPC length-prefixed frames (what the relay sends as is); returns (flows, bytes).</summary>
    public static (long Flows, long Bytes) WriteGrpcFrames(string path, IEnumerable<GetFlowsResponse> responses)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        long flows = 0;
        var buffer = new byte[64 * 1024];
        foreach (var r in responses)
        {
            var size = r.CalculateSize();
            if (buffer.Length < size + 5)
            {
                buffer = new byte[size * 2];
            }

            buffer[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1), (uint)size);
            r.WriteTo(buffer.AsSpan(5, size));
            stream.Write(buffer, 0, size + 5);
            flows++;
        }

        return (flows, stream.Length);
    }

    private void Connection(long i, long t0, List<GetFlowsResponse> output)
    {
        var spec = _schedule[(int)(i % _schedule.Count)];
        var mix = (ulong)i * 0x9E3779B97F4A7C15UL;
        var server = spec.Servers[(int)((mix >> 20) % (ulong)spec.Servers.Length)];
        var clientPort = (uint)(32768 + (i % 28000));
        var t = t0;
        long Next(int micros) => t += micros * 1000L + (long)((mix >> 40) % 997);
        var uuidBase = i * 16;

        switch (spec.Kind)
        {
            case Kind.Probe:
                {
                    var node = server.Node;
                    var host = _hostEndpoints[node];
                    var hostIp = _nodeIps[node];
                    var c = new Side(hostIp, "", host, node);
                    var s = new Side(server.Ip, server.Mac, server.Endpoint, node);
                    var flags = (Syn: new TCPFlags { SYN = true }, SynAck: new TCPFlags { SYN = true, ACK = true }, Psh: new TCPFlags { PSH = true, ACK = true });
                    Add(output, uuidBase, Next(0), c, s, clientPort, spec.Port, flags.Syn, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, node);
                    Add(output, uuidBase + 1, Next(40), s, c, (uint)spec.Port, clientPort, flags.SynAck, true, 4, 5, TraceObservationPoint.FromEndpoint, TrafficDirection.Ingress, node);
                    Add(output, uuidBase + 2, Next(60), c, s, clientPort, spec.Port, flags.Psh, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, node);
                    Add(output, uuidBase + 3, Next(900), s, c, (uint)spec.Port, clientPort, flags.Psh, true, 4, 5, TraceObservationPoint.FromEndpoint, TrafficDirection.Ingress, node);
                    break;
                }

            case Kind.Dns:
                {
                    var client = spec.Clients![(int)((mix >> 8) % (ulong)spec.Clients.Length)];
                    var c = new Side(client.Ip, client.Mac, client.Endpoint, client.Node);
                    var s = new Side(server.Ip, server.Mac, server.Endpoint, server.Node);
                    var target = _schedule[(int)((mix >> 33) % (ulong)_schedule.Count)].Servers[0];
                    var query = Services[target.App];
                    Add(output, uuidBase, Next(0), c, s, clientPort, 53, null, false, 4, 5, TraceObservationPoint.FromEndpoint, TrafficDirection.Egress, client.Node);
                    AddDns(output, uuidBase + 1, Next(30), c, s, clientPort, query, null, false, client.Node);
                    Add(output, uuidBase + 2, Next(120), c, s, clientPort, 53, null, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, server.Node);
                    AddDns(output, uuidBase + 3, Next(400), s, c, clientPort, query, target.Ip, true, client.Node);
                    Add(output, uuidBase + 4, Next(30), s, c, 53, clientPort, null, true, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Egress, client.Node);
                    break;
                }

            case Kind.Denied:
                {
                    var client = spec.Clients![(int)((mix >> 8) % (ulong)spec.Clients.Length)];
                    var c = new Side(client.Ip, client.Mac, client.Endpoint, client.Node);
                    var s = new Side(server.Ip, server.Mac, server.Endpoint, server.Node);
                    var syn = new TCPFlags { SYN = true };
                    for (var attempt = 0; attempt < 2; attempt++)
                    {
                        var u = uuidBase + (attempt * 4);
                        Add(output, u, Next(attempt == 0 ? 0 : 1_000_000), c, s, clientPort, spec.Port, syn, false, 4, 5, TraceObservationPoint.FromEndpoint, TrafficDirection.Egress, client.Node);
                        Add(output, u + 1, Next(15), c, s, clientPort, spec.Port, syn, false, 5, 0, TraceObservationPoint.UnknownPoint, TrafficDirection.Egress, client.Node, policyMatch: 1);
                        Add(output, u + 2, Next(180), c, s, clientPort, spec.Port, syn, false, 5, 0, TraceObservationPoint.UnknownPoint, TrafficDirection.Ingress, server.Node, dropped: true);
                        Add(output, u + 3, Next(2), c, s, clientPort, spec.Port, syn, false, 1, 133, TraceObservationPoint.UnknownPoint, TrafficDirection.Ingress, server.Node, dropped: true);
                    }

                    break;
                }

            default:
                {
                    var client = spec.Clients![(int)((mix >> 8) % (ulong)spec.Clients.Length)];
                    var c = new Side(client.Ip, client.Mac, client.Endpoint, client.Node);
                    var s = new Side(server.Ip, server.Mac, server.Endpoint, server.Node);
                    var crossNode = client.Node != server.Node;
                    var wirePoint = crossNode ? TraceObservationPoint.ToOverlay : TraceObservationPoint.ToStack;
                    var wireSub = crossNode ? 4 : 3;
                    var sp = (uint)spec.Port;
                    var syn = new TCPFlags { SYN = true };
                    var synAck = new TCPFlags { SYN = true, ACK = true };
                    var psh = new TCPFlags { PSH = true, ACK = true };
                    var fin = new TCPFlags { FIN = true, ACK = true };
                    Add(output, uuidBase, Next(0), c, s, clientPort, spec.Port, syn, false, 4, 5, TraceObservationPoint.FromEndpoint, TrafficDirection.Egress, client.Node);
                    Add(output, uuidBase + 1, Next(8), c, s, clientPort, spec.Port, syn, false, 5, 0, TraceObservationPoint.UnknownPoint, TrafficDirection.Egress, client.Node, policyMatch: 1);
                    Add(output, uuidBase + 2, Next(12), c, s, clientPort, spec.Port, syn, false, 4, wireSub, wirePoint, TrafficDirection.Egress, client.Node);
                    Add(output, uuidBase + 3, Next(150), c, s, clientPort, spec.Port, syn, false, 5, 0, TraceObservationPoint.UnknownPoint, TrafficDirection.Ingress, server.Node, policyMatch: 3);
                    Add(output, uuidBase + 4, Next(6), c, s, clientPort, spec.Port, syn, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, server.Node);
                    Add(output, uuidBase + 5, Next(40), s, c, sp, clientPort, synAck, true, 4, wireSub, wirePoint, TrafficDirection.Ingress, server.Node);
                    Add(output, uuidBase + 6, Next(150), s, c, sp, clientPort, synAck, true, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Egress, client.Node);
                    Add(output, uuidBase + 7, Next(200), c, s, clientPort, spec.Port, psh, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, server.Node);
                    Add(output, uuidBase + 8, Next(2500), s, c, sp, clientPort, psh, true, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Egress, client.Node);
                    Add(output, uuidBase + 9, Next(300), c, s, clientPort, spec.Port, fin, false, 4, 0, TraceObservationPoint.ToEndpoint, TrafficDirection.Ingress, server.Node);
                    break;
                }
        }
    }

    private readonly record struct Side(string Ip, string Mac, Endpoint Endpoint, string Node);

    private static Timestamp Ts(long ns) => new() { Seconds = ns / 1_000_000_000, Nanos = (int)(ns % 1_000_000_000) };

    private static string Uuid(long n) => new Guid((int)(n >> 32), (short)(n >> 16), (short)n, 0x8c, 0x41, 0x5d, 0x0e, 0xa2, 0x19, 0x7f, 0x33).ToString();

    private static void Add(List<GetFlowsResponse> output, long uuid, long ns, Side from, Side to, long fromPort, long toPort, TCPFlags? flags, bool reply,
        int eventType, int subType, TraceObservationPoint point, TrafficDirection direction, string node, int policyMatch = 0, bool dropped = false)
    {
        var ts = Ts(ns);
        var flow = new Flow
        {
            Time = ts,
            Uuid = Uuid(uuid),
            Verdict = dropped ? Verdict.Dropped : Verdict.Forwarded,
            IP = new IP { Source = from.Ip, Destination = to.Ip, IpVersion = IPVersion.Ipv4 },
            L4 = flags is null
                ? new Layer4 { UDP = new UDP { SourcePort = (uint)fromPort, DestinationPort = (uint)toPort } }
                : new Layer4 { TCP = new TCP { SourcePort = (uint)fromPort, DestinationPort = (uint)toPort, Flags = flags } },
            Source = from.Endpoint,
            Destination = to.Endpoint,
            Type = FlowType.L3L4,
            NodeName = node,
            EventType = new CiliumEventType { Type = eventType, SubType = subType },
            TrafficDirection = direction,
            IsReply = reply,
#pragma warning disable CS0612 // Summary is deprecated upstream but hubble still prints it
            Summary = flags is null ? "UDP" : $"TCP Flags: {FlagText(flags)}",
#pragma warning restore CS0612
        };
        if (from.Mac.Length > 0 && to.Mac.Length > 0)
        {
            flow.Ethernet = new Ethernet { Source = from.Mac, Destination = to.Mac };
        }

        if (point != TraceObservationPoint.UnknownPoint)
        {
            flow.TraceObservationPoint = point;
        }

        if (policyMatch != 0)
        {
            flow.PolicyMatchType = (uint)policyMatch;
        }

        if (dropped)
        {
            flow.DropReason = 133;
            flow.DropReasonDesc = DropReason.PolicyDenied;
        }

        output.Add(new GetFlowsResponse { Flow = flow, NodeName = node, Time = ts });
    }

    private static void AddDns(List<GetFlowsResponse> output, long uuid, long ns, Side from, Side to, uint clientPort, string query, string? answer, bool response, string node)
    {
        var ts = Ts(ns);
        var dns = new DNS { Query = query, ObservationSource = "proxy", Qtypes = { "A" } };
        if (answer is not null)
        {
            dns.Ips.Add(answer);
            dns.Ttl = 30;
            dns.Rrtypes.Add("A");
        }

        var flow = new Flow
        {
            Time = ts,
            Uuid = Uuid(uuid),
            Verdict = Verdict.Forwarded,
            IP = new IP { Source = from.Ip, Destination = to.Ip, IpVersion = IPVersion.Ipv4 },
            L4 = new Layer4 { UDP = new UDP { SourcePort = response ? 53 : clientPort, DestinationPort = response ? clientPort : 53 } },
            Source = from.Endpoint,
            Destination = to.Endpoint,
            Type = FlowType.L7,
            NodeName = node,
            L7 = new Layer7 { Type = response ? L7FlowType.Response : L7FlowType.Request, LatencyNs = response ? 412_000UL : 0, Dns = dns },
            EventType = new CiliumEventType { Type = 129 },
            TrafficDirection = TrafficDirection.Egress,
            IsReply = response,
#pragma warning disable CS0612 // Summary is deprecated upstream but hubble still prints it
            Summary = response ? $"DNS Answer \"{answer}\" TTL: 30 (Proxy {query} A)" : $"DNS Query {query} A",
#pragma warning restore CS0612
        };
        output.Add(new GetFlowsResponse { Flow = flow, NodeName = node, Time = ts });
    }

    private static uint StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var ch in s)
        {
            h = (h ^ ch) * 16777619u;
        }

        return h;
    }

    private static string FlagText(TCPFlags f) => (f.SYN, f.ACK, f.PSH, f.FIN) switch
    {
        (true, false, _, _) => "SYN",
        (true, true, _, _) => "SYN, ACK",
        (_, _, true, _) => "ACK, PSH",
        (_, _, _, true) => "ACK, FIN",
        _ => "ACK",
    };
}
