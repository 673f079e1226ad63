namespace Inference.Core.Connections;

/// <summary>
/// The DNS names a client resolved to an address, learned from DNS responses, so that a later connection
/// from that client to that address can be named (what <c>toFQDNs</c> rules need).
/// </summary>
public sealed class DnsNameCache(int capacity = 200_000)
{
    private readonly Dictionary<(string Client, string Ip), SortedSet<string>> _names = [];

    public void Learn(string clientIp, string query, IEnumerable<string> answers)
    {
        var name = Flows.Peer.NormalizeName(query);
        if (name.Length == 0)
        {
            return;
        }

        foreach (var ip in answers)
        {
            if (!_names.TryGetValue((clientIp, ip), out var set))
            {
                if (_names.Count >= capacity)
                {
                    // bounded memory over a week: forget everything rather than grow; names are re-learned on the next lookup
                    _names.Clear();
                }

                set = new SortedSet<string>(StringComparer.Ordinal);
                _names[(clientIp, ip)] = set;
            }

            set.Add(name);
        }
    }

    public IReadOnlyCollection<string> NamesFor(string clientIp, string ip) =>
        _names.TryGetValue((clientIp, ip), out var set) ? set : [];
}
