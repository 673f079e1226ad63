using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation.Compiled;

internal enum L7Match : byte
{
    NoMatch,

    /// <summary>Matches, with no L7 restriction.</summary>
    Match,

    /// <summary>Matches at L4; requests are filtered by L7 rules the probe carries nothing to check against.</summary>
    Restricted,
}

internal static class PortMatching
{
    /// <summary>Kubernetes ports: protocol must match; named ports resolve on the destination pod, with the protocol.</summary>
    public static bool Kubernetes(IReadOnlyList<NetworkPolicyPort> ports, L4Protocol protocol, int port, ConnectionEnd destination)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            if (p.Protocol != protocol)
            {
                continue;
            }

            if (p.NamedPort is not null)
            {
                if (ResolvesNamed(destination, p.NamedPort, protocol, port))
                {
                    return true;
                }
            }
            else if (p.Port is not { } first || (port >= first && port <= (p.EndPort ?? first)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Cilium toPorts: ANY covers TCP, UDP and SCTP; then the matched port rule's L7 rules are checked against the request.</summary>
    public static L7Match Cilium(IReadOnlyList<CiliumPortRule> toPorts, L4Protocol protocol, int port, ConnectionEnd destination, L7Request? request)
    {
        var result = L7Match.NoMatch;
        foreach (var rule in toPorts)
        {
            if (!CiliumPorts(rule.Ports, protocol, port, destination))
            {
                continue;
            }

            var l7 = rule.Rules is null ? L7Match.Match : MatchL7(rule.Rules, request);
            if (l7 == L7Match.Match)
            {
                return L7Match.Match;
            }

            if (l7 == L7Match.Restricted)
            {
                result = L7Match.Restricted;
            }
        }

        return result;
    }

    private static bool CiliumPorts(IReadOnlyList<CiliumPort> ports, L4Protocol protocol, int port, ConnectionEnd destination)
    {
        if (ports.Count == 0)
        {
            // a port rule with only L7 rules applies to every port
            return protocol is L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp;
        }

        foreach (var p in ports)
        {
            var protocolOk = p.Protocol is { } proto ? proto == protocol : protocol is L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp;
            if (!protocolOk)
            {
                continue;
            }

            if (p.NamedPort is not null)
            {
                if (ResolvesNamed(destination, p.NamedPort, protocol, port))
                {
                    return true;
                }
            }
            else if (p.Port is not { } first || (port >= first && port <= (p.EndPort ?? first)))
            {
                return true;
            }
        }

        return false;
    }

    private static L7Match MatchL7(L7Rules rules, L7Request? request)
    {
        if (rules.HasOther)
        {
            return L7Match.Restricted;
        }

        if (rules.Http is { Count: > 0 } http)
        {
            if (request is null || (request.HttpMethod is null && request.HttpPath is null))
            {
                return L7Match.Restricted;
            }

            return http.Any(h => FullMatch(h.Method, request.HttpMethod) && FullMatch(h.Path, request.HttpPath) && FullMatch(h.Host, request.HttpHost))
                ? L7Match.Match : L7Match.NoMatch;
        }

        if (rules.Dns is { Count: > 0 } dns)
        {
            if (request?.DnsQuery is null)
            {
                return L7Match.Restricted;
            }

            return dns.Any(d => d.Matches(request.DnsQuery)) ? L7Match.Match : L7Match.NoMatch;
        }

        // `rules: {http: [{}]}`-style empty lists allow every request
        return L7Match.Match;
    }

    /// <summary>Cilium's HTTP fields are extended regular expressions matched against the whole value; an unset field matches anything.</summary>
    private static bool FullMatch(string? pattern, string? value) =>
        pattern is null || (value is not null && System.Text.RegularExpressions.Regex.IsMatch(value, "^(?:" + pattern + ")$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));

    /// <summary>
    /// A named port matches only on a destination pod that declares that name with the same protocol and the probe's
    /// port number (semantics 3.6): never the source pod, never the union over pods, never an external address.
    /// </summary>
    public static bool ResolvesNamed(ConnectionEnd destination, string name, L4Protocol protocol, int port)
    {
        if (destination.Pod?.Ports is not { } declared)
        {
            return false;
        }

        foreach (var cp in declared)
        {
            if (cp.Port == port && cp.Protocol == protocol && string.Equals(cp.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
