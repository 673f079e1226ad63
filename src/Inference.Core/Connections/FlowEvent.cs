using Inference.Core.Flows;

namespace Inference.Core.Connections;

/// <summary>Which side of the observed endpoint a policy decision was taken on.</summary>
public enum TrafficDirection : byte
{
    Unknown = 0,
    Ingress = 1,
    Egress = 2,
}

/// <summary>
/// One decoded flow event (a trace point, a policy verdict, a drop or an L7 record), as lean as the
/// connection tracker needs it. Decoders fill it from Hubble protobuf or JSON; nothing here knows the wire.
/// </summary>
public sealed class FlowEvent
{
    /// <summary>Hubble's cilium event type for policy-verdict notifications.</summary>
    public const int PolicyVerdictEventType = 5;

    /// <summary>Event time, nanoseconds since the Unix epoch (UTC).</summary>
    public long TimeNs { get; set; }

    /// <summary>The flow's uuid, or a stable hash of time, node, 5-tuple and observation point; zero when unknown.</summary>
    public UInt128 DedupeKey { get; set; }

    public Verdict Verdict { get; set; }

    /// <summary>Drop reason name (POLICY_DENIED, ...) for DROPPED events.</summary>
    public string? DropReason { get; set; }

    public int EventType { get; set; }
    public TrafficDirection Direction { get; set; }

    /// <summary>Null when the producer did not say (Hubble trace events at some observation points).</summary>
    public bool? IsReply { get; set; }

    public bool TcpSyn { get; set; }
    public bool TcpAck { get; set; }
    public L4Protocol Protocol { get; set; }
    public int SourcePort { get; set; }
    public int DestinationPort { get; set; }
    public int IcmpType { get; set; }
    public string SourceIp { get; set; } = "";
    public string DestinationIp { get; set; } = "";
    public required EndpointInfo Source { get; set; }
    public required EndpointInfo Destination { get; set; }
    public string Node { get; set; } = "";
    public int ObservationPoint { get; set; }
    public IReadOnlyList<string>? DestinationNames { get; set; }
    public DnsRecord? Dns { get; set; }
    public HttpRecord? Http { get; set; }

    public bool IsPolicyVerdict => EventType == PolicyVerdictEventType;
}

/// <summary>An L7 DNS record: a request carries the query, a response also the answers.</summary>
public sealed record DnsRecord(string Query, bool IsResponse, IReadOnlyList<string> Ips, uint Ttl, int Rcode);

/// <summary>An L7 HTTP record: a request has method and path, a response also the status code.</summary>
public sealed record HttpRecord(string Method, string Path, bool IsResponse, int Status);
