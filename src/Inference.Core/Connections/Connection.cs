using Inference.Core.Flows;

namespace Inference.Core.Connections;

/// <summary>One connection attempt, however many events, observation points and nodes reported it.</summary>
public sealed class Connection
{
    public required EdgeKey Edge { get; init; }
    public required long FirstNs { get; init; }
    public required long LastNs { get; init; }
    public required Verdict Verdict { get; init; }
    public string? DropReason { get; init; }
    public string? SourcePod { get; init; }
    public string? DestinationPod { get; init; }
    public required EndpointInfo SourceEndpoint { get; init; }
    public required EndpointInfo DestinationEndpoint { get; init; }

    /// <summary>Kubelet probes and other traffic from the node itself.</summary>
    public bool IsHostProbe => Edge.Source.Entity == EntityKind.Host;

    /// <summary>The 5-tuple in the initiator's orientation, kept so a resumed stream can recognise it.</summary>
    public required FiveTuple Tuple { get; init; }

    public IReadOnlyList<DnsObservation> Dns { get; init; } = [];
    public IReadOnlyList<HttpObservation> Http { get; init; } = [];
}

/// <summary>What was resolved on one edge: a query, its answers, TTL and rcode, and how often.</summary>
public sealed record DnsObservation(string Query, string Answers, uint Ttl, int Rcode, long Count);

/// <summary>HTTP requests seen on one edge: method, path, status (0 when no response was seen), and how often.</summary>
public sealed record HttpObservation(string Method, string Path, int Status, long Count);

/// <summary>Protocol, addresses and ports of a connection in the initiator's orientation (ICMP: the request type as the port).</summary>
public readonly record struct FiveTuple(L4Protocol Protocol, string SourceIp, int SourcePort, string DestinationIp, int DestinationPort)
{
    public FiveTuple Reversed() => new(Protocol, DestinationIp, DestinationPort, SourceIp, SourcePort);
}
