namespace Inference.Core.Connections;

/// <summary>ICMP replies belong to the request that caused them: echo reply to echo request, and so on.</summary>
internal static class IcmpTypes
{
    /// <summary>The request type a reply answers (ICMPv4 and ICMPv6), or null when the type is not a reply.</summary>
    public static int? RequestFor(int type) => type switch
    {
        0 => 8,      // echo reply
        14 => 13,    // timestamp reply
        16 => 15,    // information reply
        18 => 17,    // address mask reply
        129 => 128,  // ICMPv6 echo reply
        _ => null,
    };

    public static bool IsRequest(int type) => type is 8 or 13 or 15 or 17 or 128;
}
