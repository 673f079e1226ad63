using Inference.Core.Flows;

namespace Inference.Core.Inference.Rules;

/// <summary>Port lists: sorted, de-duplicated, and (when asked) runs of consecutive ports merged into endPort ranges.</summary>
internal static class PortSets
{
    public static List<RulePort> Normalize(IEnumerable<RulePort> ports, bool ranges)
    {
        var distinct = ports.DistinctBy(p => p.Key).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (!ranges)
        {
            return distinct;
        }

        // only plain ports merge, and only consecutive ones: a range never allows a port that was not seen
        var result = distinct.Where(p => p.Http is not null || p.DnsProxy || p.EndPort is not null).ToList();
        foreach (var group in distinct.Where(p => p.Http is null && !p.DnsProxy && p.EndPort is null).GroupBy(p => p.Protocol))
        {
            var sorted = group.Select(p => p.Port).Order().ToList();
            var start = sorted[0];
            var prev = start;
            foreach (var port in sorted.Skip(1).Append(int.MaxValue))
            {
                if (port == prev + 1)
                {
                    prev = port;
                    continue;
                }

                result.Add(new RulePort(group.Key, start, prev > start ? prev : null));
                start = prev = port;
            }
        }

        return result.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
    }

    public static string Key(IEnumerable<RulePort> ports) => string.Join(",", ports.Select(p => p.Key));

    /// <summary>DNS to the resolver is allowed on UDP and TCP whatever was seen: answers over 512 bytes retry on TCP.</summary>
    public static IEnumerable<RulePort> BothDnsProtocols(int port, bool proxy) =>
        [new RulePort(L4Protocol.Udp, port, DnsProxy: proxy), new RulePort(L4Protocol.Tcp, port, DnsProxy: proxy)];
}
