using Inference.Core.Flows;

namespace Inference.Core.Evaluation;

/// <summary>The L7 request of a probe, when known: HTTP method/path/host, or a DNS query name.</summary>
public sealed record L7Request(string? HttpMethod = null, string? HttpPath = null, string? HttpHost = null, string? DnsQuery = null);

/// <summary>A connection attempt from <see cref="Source"/> to <see cref="Destination"/> on a protocol and destination port.</summary>
public sealed record ConnectionProbe(ConnectionEnd Source, ConnectionEnd Destination, L4Protocol Protocol, int Port, L7Request? L7 = null);
