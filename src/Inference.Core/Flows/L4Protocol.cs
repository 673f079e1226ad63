namespace Inference.Core.Flows;

/// <summary>Transport protocol of a connection as a policy sees it.</summary>
public enum L4Protocol : byte
{
    Unknown = 0,
    Tcp = 1,
    Udp = 2,
    Sctp = 3,
    Icmp = 4,
}

public static class L4ProtocolNames
{
    public static string ToWire(this L4Protocol protocol) => protocol switch
    {
        L4Protocol.Tcp => "TCP",
        L4Protocol.Udp => "UDP",
        L4Protocol.Sctp => "SCTP",
        L4Protocol.Icmp => "ICMP",
        _ => "UNKNOWN",
    };

    /// <summary>Parses names (<c>tcp</c>, <c>TCP</c>, <c>icmpv6</c>) and IANA numbers (<c>6</c>, <c>17</c>).</summary>
    public static bool TryParse(string? text, out L4Protocol protocol)
    {
        protocol = (text ?? "").Trim().ToUpperInvariant() switch
        {
            "TCP" or "6" => L4Protocol.Tcp,
            "UDP" or "17" => L4Protocol.Udp,
            "SCTP" or "132" => L4Protocol.Sctp,
            "ICMP" or "ICMPV4" or "ICMPV6" or "1" or "58" => L4Protocol.Icmp,
            _ => L4Protocol.Unknown,
        };
        return protocol != L4Protocol.Unknown;
    }
}
