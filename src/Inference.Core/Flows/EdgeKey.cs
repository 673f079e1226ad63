namespace Inference.Core.Flows;

/// <summary>What an edge is: source, destination, protocol and destination port (ICMP: type instead of port).</summary>
public readonly record struct EdgeKey(Peer Source, Peer Destination, L4Protocol Protocol, int? Port, int? IcmpType) : IComparable<EdgeKey>
{
    public int CompareTo(EdgeKey other)
    {
        var c = Source.CompareTo(other.Source);
        if (c != 0) return c;
        c = Destination.CompareTo(other.Destination);
        if (c != 0) return c;
        c = string.CompareOrdinal(Protocol.ToWire(), other.Protocol.ToWire());
        if (c != 0) return c;
        c = Nullable.Compare(Port, other.Port);
        return c != 0 ? c : Nullable.Compare(IcmpType, other.IcmpType);
    }

    public override string ToString() => $"{Source} -> {Destination} {Protocol.ToWire()}/{(Protocol == L4Protocol.Icmp ? $"type {IcmpType}" : Port?.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
}
