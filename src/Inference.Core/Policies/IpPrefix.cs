using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Inference.Core.Policies;

/// <summary>An IP address as a family flag plus its bits (IPv4 in the low 32 bits), cheap to compare.</summary>
public readonly record struct IpAddressBits(bool IsV6, UInt128 Bits)
{
    public static bool TryParse(string? text, out IpAddressBits address)
    {
        address = default;
        if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out var ip))
        {
            return false;
        }

        address = From(ip);
        return true;
    }

    public static IpAddressBits From(IPAddress ip)
    {
        // an IPv4-mapped IPv6 address stays IPv6: it must never match an IPv4 CIDR (semantics 3.7)
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var written);
        UInt128 bits = 0;
        for (var i = 0; i < written; i++)
        {
            bits = (bits << 8) | bytes[i];
        }

        return new IpAddressBits(ip.AddressFamily == AddressFamily.InterNetworkV6, bits);
    }
}

/// <summary>
/// A CIDR. Non-canonical input (host bits set, e.g. <c>192.168.242.213/24</c>) is read as the masked network,
/// the reading kubernetes#94484 lists first and the one policy-assistant uses.
/// </summary>
public readonly record struct IpPrefix(bool IsV6, UInt128 Network, int Length)
{
    public int MaxLength => IsV6 ? 128 : 32;

    public static bool TryParse(string? text, out IpPrefix prefix)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpAddressBits.TryParse(addressText.Trim(), out var address))
        {
            return false;
        }

        var max = address.IsV6 ? 128 : 32;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max))
        {
            return false;
        }

        prefix = new IpPrefix(address.IsV6, address.Bits & Mask(length, max), length);
        return true;
    }

    /// <summary>True when the text has host bits set (it parses, but is not in canonical form).</summary>
    public static bool IsCanonical(string text) =>
        TryParse(text, out var p) && IpAddressBits.TryParse(text.Split('/')[0].Trim(), out var a) && a.Bits == p.Network;

    public bool Contains(IpAddressBits address) =>
        address.IsV6 == IsV6 && (address.Bits & Mask(Length, MaxLength)) == Network;

    /// <summary>True when every address of <paramref name="inner"/> is in this prefix.</summary>
    public bool Covers(IpPrefix inner) =>
        inner.IsV6 == IsV6 && inner.Length >= Length && (inner.Network & Mask(Length, MaxLength)) == Network;

    private static UInt128 Mask(int length, int max) =>
        length == 0 ? UInt128.Zero : (max == 32 ? (UInt128)(uint.MaxValue << (32 - length)) : UInt128.MaxValue << (128 - length));

    public override string ToString()
    {
        if (IsV6)
        {
            var bytes = new byte[16];
            var n = Network;
            for (var i = 15; i >= 0; i--)
            {
                bytes[i] = (byte)(n & 0xFF);
                n >>= 8;
            }

            return $"{new IPAddress(bytes)}/{Length}";
        }

        var v = (uint)Network;
        return string.Create(CultureInfo.InvariantCulture, $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}/{Length}");
    }
}
