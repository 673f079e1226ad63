using System.Runtime.InteropServices;
using Inference.Core.Flows;

namespace Inference.Core.Connections;

/// <summary>
/// Assembles flow events into connections: one connection per 5-tuple for as long as its events keep coming within
/// the window, whatever the observation point, node or event type; replies join the connection they answer and never
/// open one in the reverse direction. Single-threaded: one tracker per ingest stream.
/// </summary>
public sealed class ConnectionTracker
{
    private readonly ConnectionOptions _options;
    private readonly long _windowNs;
    private readonly long _latenessNs;
    private readonly Dictionary<FiveTuple, OpenConnection> _open = new(FiveTupleComparer.Instance);
    private readonly Dictionary<FiveTuple, long> _alreadyStored = new(FiveTupleComparer.Instance);
    private long _storedReachNs;
    private readonly DedupeSet _dedupe;
    private long _maxSeenNs;
    private long _lastSweepNs;

    public ConnectionTracker(ConnectionOptions? options = null, DnsNameCache? dnsNames = null)
    {
        _options = options ?? new ConnectionOptions();
        _windowNs = (long)_options.Window.TotalNanoseconds;
        _latenessNs = (long)_options.Lateness.TotalNanoseconds;
        _dedupe = new DedupeSet(_options.DedupeRetention);
        DnsNames = dnsNames ?? new DnsNameCache();
    }

    public DnsNameCache DnsNames { get; }

    /// <summary>Events dropped because they were seen before (same uuid or key), or belong to a connection already stored.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Events with no transport a policy can express (no L4, VRRP, IGMP) or no addresses.</summary>
    public long Ignored { get; private set; }

    public int OpenCount => _open.Count;

    /// <summary>The first event time of the oldest connection still open: a resume must start before it.</summary>
    public long? OldestOpenNs => _open.Count == 0 ? null : _open.Values.Min(c => c.FirstNs);

    /// <summary>The latest event time seen.</summary>
    public long MaxSeenNs => _maxSeenNs;

    /// <summary>
    /// A connection that an earlier run already stored: events of it that a resumed stream sends again are not counted.
    /// A resume replays at most <paramref name="reach"/> before the stored connection's last event, so an event of the
    /// same 5-tuple from before that (an older file imported later, pings between the same pods) is another connection.
    /// </summary>
    public void RememberStored(FiveTuple tuple, long lastNs, TimeSpan reach)
    {
        _alreadyStored[tuple] = lastNs;
        _storedReachNs = Math.Max(_storedReachNs, (long)reach.TotalNanoseconds);
    }

    /// <summary>Adds one event; connections it closes are added to <paramref name="closed"/>. False when the event was a duplicate or ignored.</summary>
    public bool Add(FlowEvent e, ICollection<Connection> closed)
    {
        if (e.Protocol == L4Protocol.Unknown || (e.SourceIp.Length == 0 && e.DestinationIp.Length == 0))
        {
            Ignored++;
            return false;
        }

        if (e.TimeNs > _maxSeenNs)
        {
            _maxSeenNs = e.TimeNs;
        }

        // an event with no key (zero) is never a duplicate: the set does not remember it
        if (!_dedupe.Add(e.DedupeKey, e.TimeNs, _maxSeenNs))
        {
            Duplicates++;
            return false;
        }

        var (tuple, isReply) = Orient(e);
        if (_alreadyStored.Count > 0 && _alreadyStored.TryGetValue(tuple, out var storedLast))
        {
            if (e.TimeNs <= storedLast + _windowNs && e.TimeNs >= storedLast - _storedReachNs)
            {
                Duplicates++;
                return false;
            }

            if (e.TimeNs > storedLast)
            {
                // the stored connection is over: this tuple is a new connection from here on
                _alreadyStored.Remove(tuple);
            }
        }

        // one lookup finds the open connection or the slot for a new one
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_open, tuple, out var exists);
        if (exists && e.TimeNs - slot!.LastNs > _windowNs)
        {
            closed.Add(Close(slot));
            exists = false;
        }

        if (!exists)
        {
            slot = new OpenConnection(tuple, e.TimeNs);
        }

        var connection = slot!;
        connection.Apply(e, isReply, DnsNames);
        if (_maxSeenNs - _lastSweepNs > _windowNs / 4)
        {
            Sweep(closed);
        }

        return true;
    }

    /// <summary>Closes the connections that no event can join any more.</summary>
    public void Sweep(ICollection<Connection> closed)
    {
        _lastSweepNs = _maxSeenNs;
        var horizon = _maxSeenNs - _windowNs - _latenessNs;
        List<OpenConnection>? done = null;
        foreach (var connection in _open.Values)
        {
            if (connection.LastNs < horizon)
            {
                (done ??= []).Add(connection);
            }
        }

        if (done is null)
        {
            return;
        }

        foreach (var connection in done)
        {
            closed.Add(Close(connection));
            _open.Remove(connection.Tuple);
        }

        if (_alreadyStored.Count > 0)
        {
            foreach (var (tuple, last) in _alreadyStored.ToList())
            {
                if (last < horizon)
                {
                    _alreadyStored.Remove(tuple);
                }
            }
        }
    }

    /// <summary>Closes every open connection (end of input, shutdown).</summary>
    public void CloseAll(ICollection<Connection> closed)
    {
        foreach (var connection in _open.Values.OrderBy(c => c.FirstNs))
        {
            closed.Add(Close(connection));
        }

        _open.Clear();
    }

    private (FiveTuple Tuple, bool IsReply) Orient(FlowEvent e)
    {
        var icmp = e.Protocol == L4Protocol.Icmp;
        bool? reply = e.IsReply;
        int requestType = e.IcmpType;
        if (icmp)
        {
            var answered = IcmpTypes.RequestFor(e.IcmpType);
            reply ??= answered is not null;
            if (reply == true && answered is not null)
            {
                requestType = answered.Value;
            }
        }
        else if (reply is null && e.Protocol == L4Protocol.Tcp && e.TcpSyn)
        {
            reply = e.TcpAck;
        }

        var forward = icmp
            ? new FiveTuple(e.Protocol, e.SourceIp, 0, e.DestinationIp, requestType)
            : new FiveTuple(e.Protocol, e.SourceIp, e.SourcePort, e.DestinationIp, e.DestinationPort);
        var reverse = icmp
            ? new FiveTuple(e.Protocol, e.DestinationIp, 0, e.SourceIp, requestType)
            : forward.Reversed();

        if (reply is null)
        {
            if (_open.ContainsKey(forward))
            {
                reply = false;
            }
            else if (_open.ContainsKey(reverse))
            {
                reply = true;
            }
            else
            {
                // nothing says who started it: clients send from ephemeral ports above the service port
                reply = e.SourcePort < e.DestinationPort;
            }
        }

        return reply.Value ? (reverse, true) : (forward, false);
    }

    private Connection Close(OpenConnection c)
    {
        var names = c.DestinationNames ?? [];
        if (c.Destination.Workload is null)
        {
            names = [.. names, .. DnsNames.NamesFor(c.Tuple.SourceIp, c.Tuple.DestinationIp)];
        }

        var icmp = c.Tuple.Protocol == L4Protocol.Icmp;
        var edge = new EdgeKey(
            c.Source.ToPeer(c.Tuple.SourceIp, null),
            c.Destination.ToPeer(c.Tuple.DestinationIp, names),
            c.Tuple.Protocol,
            icmp ? null : c.Tuple.DestinationPort,
            icmp ? c.Tuple.DestinationPort : null);
        var verdict = c.PolicyVerdict != Verdict.Unknown ? c.PolicyVerdict : c.Dropped ? Verdict.Dropped : Verdict.Forwarded;
        return new Connection
        {
            Edge = edge,
            FirstNs = c.FirstNs,
            LastNs = c.LastNs,
            Verdict = verdict,
            DropReason = verdict == Verdict.Dropped ? c.DropReason ?? "UNKNOWN" : null,
            SourcePod = c.Source.PodName,
            DestinationPod = c.Destination.PodName,
            SourceEndpoint = c.Source,
            DestinationEndpoint = c.Destination,
            Tuple = c.Tuple,
            Dns = c.DnsObservations(),
            Http = c.HttpObservations(),
        };
    }
}
