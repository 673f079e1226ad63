using Inference.Core.Flows;
using Inference.Ingest.Calico.Policies;

namespace Inference.Ingest.Calico.Records;

/// <summary>Which side's Felix reported a record: the source's egress decision, the destination's ingress decision, or forwarding.</summary>
public enum Reporter : byte
{
    Src = 0,
    Dst = 1,
    Fwd = 2,
}

/// <summary>Calico's endpoint types: workload, host endpoint, network set, network (pub/pvt).</summary>
public enum EndpointType : byte
{
    Workload = 0,
    HostEndpoint,
    NetworkSet,
    Network,
}

/// <summary>One end of a Calico flow as the record gives it.</summary>
public sealed record CalicoEndpoint(EndpointType Type, string Namespace, string NameAggr, string? Name, string? Ip, IReadOnlyList<string> Labels, IReadOnlyList<string> Domains);

/// <summary>One flow-log record (Felix) or Goldmane flow, normalised: the unit the counter and the store see.</summary>
public sealed record CalicoFlow(
    long StartNs,
    long EndNs,
    Reporter Reporter,
    CalicoEndpoint Source,
    CalicoEndpoint Destination,
    L4Protocol Protocol,
    int? DestinationPort,
    PolicyAction Action,
    PolicyTrace Enforced,
    PolicyTrace Pending,
    long ConnectionsStarted);
