using Inference.Core.Flows;

namespace Inference.Ingest.Calico.Records;

/// <summary>The string values Felix and Goldmane use for types, reporters and protocols.</summary>
internal static class CalicoNames
{
    public static EndpointType EndpointType(string text, string field) => text switch
    {
        "wep" or "WorkloadEndpoint" or "1" => Records.EndpointType.Workload,
        "hep" or "HostEndpoint" or "2" => Records.EndpointType.HostEndpoint,
        "ns" or "NetworkSet" or "3" => Records.EndpointType.NetworkSet,
        "net" or "Network" or "4" => Records.EndpointType.Network,
        _ => throw new RecordException($"{field}: unknown endpoint type '{text}' (expected wep, hep, ns or net)"),
    };

    /// <summary><c>src</c>, <c>dst</c>, <c>fwd</c>, and the combined <c>src,fwd</c> / <c>dst, fwd</c> the code and docs show.</summary>
    public static Reporter Reporter(string text, string field)
    {
        var first = text.Split(',')[0].Trim();
        return first switch
        {
            "src" or "Src" or "1" => Records.Reporter.Src,
            "dst" or "Dst" or "2" => Records.Reporter.Dst,
            "fwd" => Records.Reporter.Fwd,
            _ => throw new RecordException($"{field}: unknown reporter '{text}' (expected src, dst or fwd)"),
        };
    }

    /// <summary>Felix writes names for the common protocols and the decimal number for any other.</summary>
    public static L4Protocol Protocol(string text) => text switch
    {
        "tcp" or "TCP" or "6" => L4Protocol.Tcp,
        "udp" or "UDP" or "17" => L4Protocol.Udp,
        "sctp" or "SCTP" or "132" => L4Protocol.Sctp,
        "icmp" or "ICMP" or "1" or "icmp6" or "ICMPv6" or "icmpv6" or "58" => L4Protocol.Icmp,
        _ => L4Protocol.Unknown,
    };
}
