using Inference.Core.Flows;

namespace Inference.Core.Connections;

/// <summary>The state of a connection while its events are still arriving.</summary>
internal sealed class OpenConnection(FiveTuple tuple, long firstNs)
{
    private Dictionary<string, DnsAccumulator>? _dns;
    private Dictionary<(string Method, string Path), HttpAccumulator>? _http;

    public FiveTuple Tuple { get; } = tuple;
    public long FirstNs { get; private set; } = firstNs;
    public long LastNs { get; private set; } = firstNs;
    public EndpointInfo Source { get; private set; } = EndpointInfo.Unknown;
    public EndpointInfo Destination { get; private set; } = EndpointInfo.Unknown;
    public Verdict PolicyVerdict { get; private set; }
    public bool Dropped { get; private set; }
    public string? DropReason { get; private set; }
    public List<string>? DestinationNames { get; private set; }

    public void Apply(FlowEvent e, bool isReply, DnsNameCache dnsNames)
    {
        FirstNs = Math.Min(FirstNs, e.TimeNs);
        LastNs = Math.Max(LastNs, e.TimeNs);

        // a reply travels from the responder to the initiator: its source describes our destination
        var (initiator, responder) = isReply ? (e.Destination, e.Source) : (e.Source, e.Destination);
        if (EndpointPreference.Better(initiator, Source))
        {
            Source = initiator;
        }

        if (EndpointPreference.Better(responder, Destination))
        {
            Destination = responder;
        }

        if (e.IsPolicyVerdict && e.Verdict.Severity() > PolicyVerdict.Severity())
        {
            PolicyVerdict = e.Verdict;
        }

        if (e.Verdict == Verdict.Dropped)
        {
            Dropped = true;
            DropReason ??= e.DropReason;
        }

        if (!isReply && e.DestinationNames is { Count: > 0 } names)
        {
            (DestinationNames ??= []).AddRange(names);
        }

        if (e.Dns is { } dns)
        {
            ApplyDns(dns, dnsNames);
        }

        if (e.Http is { } http)
        {
            _http ??= [];
            ref var acc = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_http, (http.Method, http.Path), out _);
            acc ??= new HttpAccumulator();
            if (http.IsResponse)
            {
                acc.Responses[http.Status] = acc.Responses.GetValueOrDefault(http.Status) + 1;
            }
            else
            {
                acc.Requests++;
            }
        }
    }

    private void ApplyDns(DnsRecord dns, DnsNameCache dnsNames)
    {
        var query = Peer.NormalizeName(dns.Query);
        if (query.Length == 0)
        {
            return;
        }

        _dns ??= new Dictionary<string, DnsAccumulator>(StringComparer.Ordinal);
        if (!_dns.TryGetValue(query, out var acc))
        {
            acc = new DnsAccumulator();
            _dns[query] = acc;
        }

        if (!dns.IsResponse)
        {
            acc.Requests++;
            return;
        }

        acc.Responses++;
        acc.Rcode = dns.Rcode;
        acc.Ttl = Math.Max(acc.Ttl, dns.Ttl);
        foreach (var ip in dns.Ips)
        {
            acc.Answers.Add(ip);
        }

        if (dns.Ips.Count > 0)
        {
            dnsNames.Learn(Tuple.SourceIp, query, dns.Ips);
        }
    }

    public IReadOnlyList<DnsObservation> DnsObservations() => _dns switch
    {
        null => [],
        // one query per connection is the rule: nothing to order
        { Count: 1 } => [.. _dns.Select(Observation)],
        _ => [.. _dns.OrderBy(p => p.Key, StringComparer.Ordinal).Select(Observation)],
    };

    private static DnsObservation Observation(KeyValuePair<string, DnsAccumulator> p) =>
        new(p.Key, string.Join(',', p.Value.Answers), p.Value.Ttl, p.Value.Rcode, Math.Max(p.Value.Requests, p.Value.Responses));

    public IReadOnlyList<HttpObservation> HttpObservations()
    {
        if (_http is null)
        {
            return [];
        }

        var result = new List<HttpObservation>();
        foreach (var ((method, path), acc) in _http.OrderBy(p => p.Key.Method, StringComparer.Ordinal).ThenBy(p => p.Key.Path, StringComparer.Ordinal))
        {
            long answered = 0;
            foreach (var (status, count) in acc.Responses.OrderBy(p => p.Key))
            {
                result.Add(new HttpObservation(method, path, status, count));
                answered += count;
            }

            if (acc.Requests > answered)
            {
                result.Add(new HttpObservation(method, path, 0, acc.Requests - answered));
            }
        }

        return result;
    }

    private sealed class DnsAccumulator
    {
        public long Requests { get; set; }
        public long Responses { get; set; }
        public uint Ttl { get; set; }
        public int Rcode { get; set; }
        public SortedSet<string> Answers { get; } = new(StringComparer.Ordinal);
    }

    private sealed class HttpAccumulator
    {
        public long Requests { get; set; }
        public SortedDictionary<int, long> Responses { get; } = [];
    }
}
