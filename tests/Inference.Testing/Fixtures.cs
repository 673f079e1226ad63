using Cilium.Flow;
using Cilium.Observer;
using Cilium.Relay;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Inference.Testing;

/// <summary>One end of a builder flow: a pod (namespace, name, IP, app label, Deployment owner) or an entity given by its labels.</summary>
public sealed record FlowPeer(string Ip, string? Namespace = null, string? Pod = null, string? App = null, uint Identity = 1000, params string[] ExtraLabels)
{
    public static FlowPeer PodOf(string ns, string app, string ip, string podSuffix = "5d9f8c7b6d-x2x4z", uint identity = 12345) =>
        new(ip, ns, $"{app}-{podSuffix}", app, identity);

    public static FlowPeer World(string ip) => new(ip, Identity: 2, ExtraLabels: "reserved:world");

    public static FlowPeer Host(string ip) => new(ip, Identity: 1, ExtraLabels: "reserved:host");

    public Endpoint ToEndpoint()
    {
        var endpoint = new Endpoint { Identity = Identity };
        if (Namespace is not null)
        {
            endpoint.Namespace = Namespace;
        }

        if (Pod is not null)
        {
            endpoint.PodName = Pod;
            endpoint.Workloads.Add(new Workload { Name = App ?? Pod, Kind = "Deployment" });
        }

        if (App is not null)
        {
            endpoint.Labels.Add($"k8s:app={App}");
        }

        if (Namespace is not null)
        {
            endpoint.Labels.Add($"k8s:io.kubernetes.pod.namespace={Namespace}");
            endpoint.Labels.Add($"k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name={Namespace}");
        }

        endpoint.Labels.Add(ExtraLabels);
        return endpoint;
    }
}

/// <summary>Builders for <c>GetFlowsResponse</c> fixtures, and the real captures parsed as the relay would send them.</summary>
public static class Fixtures
{
    /// <summary>Cilium's monitor message types (<c>event_type.type</c>).</summary>
    public const int EventDrop = 1;
    public const int EventTrace = 4;
    public const int EventPolicyVerdict = 5;

    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Parses <c>hubble observe -o jsonpb</c> output (one <c>GetFlowsResponse</c> per line).</summary>
    public static IReadOnlyList<GetFlowsResponse> ParseJsonpb(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var result = new List<GetFlowsResponse>();
        foreach (var line in lines)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                result.Add(Parser.Parse<GetFlowsResponse>(line));
            }
        }

        return result;
    }

    /// <summary>A real capture from <c>src/Inference.Cli/Samples/hubble/</c> (a copy of <c>/work/shared/data/hubble/</c>).</summary>
    public static IReadOnlyList<GetFlowsResponse> Capture(string fileName) => ParseJsonpb(File.ReadLines(TestPaths.HubbleSample(fileName)));

    public static Timestamp Ts(DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    public static long Ns(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    public static long Ns(Timestamp ts)
    {
        ArgumentNullException.ThrowIfNull(ts);
        return (ts.Seconds * 1_000_000_000) + ts.Nanos;
    }

    /// <summary>The time a response is filtered by: the flow's, else the response's (0 when it has none).</summary>
    public static long TimeNs(GetFlowsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Flow?.Time is { } ft ? Ns(ft) : response.Time is { } t ? Ns(t) : 0;
    }

    /// <summary><c>namespace/pod</c>, as the <c>source_pod</c>/<c>destination_pod</c> filters match it (null when the end is no pod).</summary>
    public static string? PodName(Endpoint? endpoint) =>
        endpoint is null || string.IsNullOrEmpty(endpoint.Namespace) ? null : endpoint.Namespace + "/" + endpoint.PodName;

    /// <summary>
    /// One TCP event. <paramref name="eventType"/> 4 is a trace event, 5 a policy-verdict event, 1 a drop.
    /// A reply swaps nothing: give the reply's own source and destination.
    /// </summary>
    public static GetFlowsResponse Tcp(DateTimeOffset time, FlowPeer source, uint sourcePort, FlowPeer destination, uint destinationPort,
        Verdict verdict = Verdict.Forwarded, bool reply = false, string? uuid = null, string node = "node-1", int eventType = EventTrace,
        DropReason dropReason = DropReason.Unknown, bool syn = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var flow = new Flow
        {
            Time = Ts(time),
            Uuid = uuid ?? "",
            Verdict = verdict,
            IP = new IP { Source = source.Ip, Destination = destination.Ip, IpVersion = IPVersion.Ipv4 },
            L4 = new Layer4
            {
                TCP = new TCP
                {
                    SourcePort = sourcePort,
                    DestinationPort = destinationPort,
                    Flags = reply ? new TCPFlags { SYN = syn, ACK = true } : new TCPFlags { SYN = syn, ACK = !syn },
                },
            },
            Source = source.ToEndpoint(),
            Destination = destination.ToEndpoint(),
            Type = FlowType.L3L4,
            NodeName = node,
            Reply = reply,
            IsReply = reply,
            EventType = new CiliumEventType { Type = eventType },
            TrafficDirection = TrafficDirection.Egress,
        };
        if (dropReason != DropReason.Unknown)
        {
            flow.DropReasonDesc = dropReason;
            flow.DropReason = (uint)dropReason;
        }

        return new GetFlowsResponse { Flow = flow, NodeName = node, Time = flow.Time };
    }

    public static GetFlowsResponse NodeStatus(DateTimeOffset time, NodeState state, string message, params string[] nodes)
    {
        var status = new NodeStatusEvent { StateChange = state, Message = message };
        status.NodeNames.Add(nodes);
        return new GetFlowsResponse { NodeStatus = status, Time = Ts(time), NodeName = nodes.FirstOrDefault() ?? "" };
    }

    public static GetFlowsResponse Lost(DateTimeOffset time, string node, LostEventSource source, ulong count) => new()
    {
        LostEvents = new LostEvent { Source = source, NumEventsLost = count, First = Ts(time.AddSeconds(-1)), Last = Ts(time) },
        NodeName = node,
        Time = Ts(time),
    };

    /// <summary>
    /// A scripted conversation: <paramref name="connections"/> TCP connections spread over namespaces <c>shop</c> and <c>billing</c>,
    /// each seen as several events with uuids (egress trace on the source node, ingress trace on the destination node,
    /// a SYN-ACK reply), one second apart. Every fourth one is AUDITed by a policy-verdict event; every fifth DROPPED by policy.
    /// Distinct edges: frontend→cart:8080, frontend→payments:9090 (billing), cart→redis:6379, and the dropped edges frontend→admin:22.
    /// </summary>
    public static IReadOnlyList<GetFlowsResponse> Conversation(int connections, DateTimeOffset? start = null)
    {
        var t0 = start ?? Epoch;
        var frontend = FlowPeer.PodOf("shop", "frontend", "10.0.1.10");
        var cart = FlowPeer.PodOf("shop", "cart", "10.0.1.20", "7c9b6d5f4-abcde");
        var redis = FlowPeer.PodOf("shop", "redis", "10.0.1.30", "6f7d8c9b5-qwert");
        var payments = FlowPeer.PodOf("billing", "payments", "10.0.2.10", "54f6d7c8b9-zxcvb");
        var admin = FlowPeer.PodOf("shop", "admin", "10.0.1.40", "8d7c6b5a4-poiuy");
        var list = new List<GetFlowsResponse>();
        for (var i = 0; i < connections; i++)
        {
            var time = t0.AddSeconds(i);
            var sport = (uint)(30000 + i);
            var (src, dst, port) = (i % 3) switch
            {
                0 => (frontend, cart, 8080u),
                1 => (frontend, payments, 9090u),
                _ => (cart, redis, 6379u),
            };
            if (i % 5 == 4)
            {
                // a denied attempt: a policy-verdict DROPPED and the drop event
                list.Add(Tcp(time, frontend, sport, admin, 22, Verdict.Dropped, uuid: $"c{i}-pv", node: "node-2", eventType: EventPolicyVerdict, dropReason: DropReason.PolicyDenied));
                list.Add(Tcp(time.AddMilliseconds(1), frontend, sport, admin, 22, Verdict.Dropped, uuid: $"c{i}-drop", node: "node-2", eventType: EventDrop, dropReason: DropReason.PolicyDenied));
                continue;
            }

            list.Add(Tcp(time, src, sport, dst, port, uuid: $"c{i}-egress", node: "node-1"));
            if (i % 4 == 3)
            {
                list.Add(Tcp(time.AddMilliseconds(1), src, sport, dst, port, Verdict.Audit, uuid: $"c{i}-pv", node: "node-2", eventType: EventPolicyVerdict));
            }

            list.Add(Tcp(time.AddMilliseconds(2), src, sport, dst, port, uuid: $"c{i}-ingress", node: "node-2"));
            list.Add(Tcp(time.AddMilliseconds(3), dst, port, src, sport, reply: true, uuid: $"c{i}-reply", node: "node-2"));
        }

        return list;
    }
}
