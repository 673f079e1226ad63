using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Core.Tests.Connections;

public sealed class ConnectionTrackerTests
{
    private static readonly EndpointInfo Client = EndpointInfo.ForPod("shop", "frontend-7d4f8b9c6-x2x4z",
        new Dictionary<string, string> { ["app"] = "frontend", ["pod-template-hash"] = "7d4f8b9c6" }, new Dictionary<string, string>(), null, null);
    private static readonly EndpointInfo Server = EndpointInfo.ForPod("shop", "cart-5c6d7f8b9-abcde",
        new Dictionary<string, string> { ["app"] = "cart", ["pod-template-hash"] = "5c6d7f8b9" }, new Dictionary<string, string>(), null, null);

    private static FlowEvent Event(long seconds, bool? reply, Verdict verdict = Verdict.Forwarded, int eventType = 4, bool syn = false, bool ack = false, string? dropReason = null, ulong uuid = 0, bool serverSide = false)
    {
        var fromServer = reply == true || serverSide;
        return new FlowEvent
        {
            TimeNs = seconds * 1_000_000_000L,
            DedupeKey = uuid,
            Verdict = verdict,
            EventType = eventType,
            IsReply = reply,
            TcpSyn = syn,
            TcpAck = ack,
            DropReason = dropReason,
            Protocol = L4Protocol.Tcp,
            SourceIp = fromServer ? "10.0.0.2" : "10.0.0.1",
            DestinationIp = fromServer ? "10.0.0.1" : "10.0.0.2",
            SourcePort = fromServer ? 7070 : 40000,
            DestinationPort = fromServer ? 40000 : 7070,
            Source = fromServer ? Server : Client,
            Destination = fromServer ? Client : Server,
        };
    }

    private static List<Connection> Run(params FlowEvent[] events)
    {
        var tracker = new ConnectionTracker();
        var closed = new List<Connection>();
        foreach (var e in events)
        {
            tracker.Add(e, closed);
        }

        tracker.CloseAll(closed);
        return closed;
    }

    [Fact]
    public void Events_of_one_connection_at_several_points_count_once_in_the_initiator_direction()
    {
        var connections = Run(
            Event(0, false, eventType: 5, syn: true),
            Event(0, null, syn: true),
            Event(0, true, syn: true, ack: true),
            Event(1, null, ack: true),
            Event(1, true, ack: true));
        var c = Assert.Single(connections);
        Assert.Equal("shop/frontend (Deployment)", c.Edge.Source.ToString());
        Assert.Equal("shop/cart (Deployment)", c.Edge.Destination.ToString());
        Assert.Equal(7070, c.Edge.Port);
    }

    [Fact]
    public void Replies_alone_never_create_a_connection_in_the_reverse_direction()
    {
        var c = Assert.Single(Run(Event(0, true, ack: true), Event(0, null, syn: true, ack: true, serverSide: true), Event(1, null, ack: true, serverSide: true)));
        Assert.Equal("shop/frontend (Deployment)", c.Edge.Source.ToString());
        Assert.Equal(7070, c.Edge.Port);
    }

    [Fact]
    public void The_policy_verdict_decides_and_the_harshest_decision_wins()
    {
        Assert.Equal(Verdict.Audit, Assert.Single(Run(Event(0, false, Verdict.Forwarded, 5, syn: true), Event(0, false, Verdict.Audit, 5, syn: true), Event(0, false))).Verdict);
        Assert.Equal(Verdict.Redirected, Assert.Single(Run(Event(0, false, Verdict.Redirected, 5, syn: true), Event(0, false))).Verdict);
        var dropped = Assert.Single(Run(Event(0, false, Verdict.Dropped, 1, syn: true, dropReason: "POLICY_DENIED")));
        Assert.Equal((Verdict.Dropped, "POLICY_DENIED"), (dropped.Verdict, dropped.DropReason));
        Assert.Equal(Verdict.Forwarded, Assert.Single(Run(Event(0, false), Event(0, true))).Verdict);
    }

    [Fact]
    public void The_same_tuple_after_the_window_is_a_new_connection_and_within_it_the_same()
    {
        Assert.Single(Run(Event(0, false), Event(20, false), Event(45, false)));
        Assert.Equal(2, Run(Event(0, false), Event(31, false)).Count);
    }

    [Fact]
    public void A_relay_resending_an_event_is_dropped_by_its_uuid()
    {
        var tracker = new ConnectionTracker();
        var closed = new List<Connection>();
        Assert.True(tracker.Add(Event(0, false, uuid: 1), closed));
        Assert.False(tracker.Add(Event(0, false, uuid: 1), closed));
        Assert.Equal(1, tracker.Duplicates);
    }

    [Fact]
    public void Events_of_a_connection_an_earlier_run_stored_are_not_counted_again()
    {
        var tracker = new ConnectionTracker();
        tracker.RememberStored(new FiveTuple(L4Protocol.Tcp, "10.0.0.1", 40000, "10.0.0.2", 7070), 5_000_000_000L, TimeSpan.FromMinutes(7));
        var closed = new List<Connection>();
        Assert.False(tracker.Add(Event(3, false), closed));
        Assert.False(tracker.Add(Event(4, true), closed));
        tracker.CloseAll(closed);
        Assert.Empty(closed);
    }

    [Fact]
    public void The_same_tuple_long_before_or_after_a_stored_connection_is_another_connection()
    {
        // a resume replays minutes, not hours: an hour earlier (an older file imported later) is not a replay
        var tracker = new ConnectionTracker();
        tracker.RememberStored(new FiveTuple(L4Protocol.Tcp, "10.0.0.1", 40000, "10.0.0.2", 7070), 3_600_000_000_000L, TimeSpan.FromMinutes(7));
        var closed = new List<Connection>();
        Assert.True(tracker.Add(Event(10, false), closed));
        Assert.False(tracker.Add(Event(3_590, false), closed));
        Assert.True(tracker.Add(Event(3_700, false), closed));
        tracker.CloseAll(closed);
        Assert.Equal([10_000_000_000L, 3_700_000_000_000L], closed.Select(c => c.FirstNs).Order());
        Assert.Equal(1, tracker.Duplicates);
    }

    [Fact]
    public void Host_probes_are_kept_and_marked()
    {
        var probe = Event(0, false);
        probe.Source = EndpointInfo.ForEntity(EntityKind.Host);
        var c = Assert.Single(Run(probe));
        Assert.True(c.IsHostProbe);
        Assert.Equal("host", c.Edge.Source.ToString());
    }

    [Fact]
    public void Icmp_echo_and_its_reply_are_one_connection_keyed_by_the_request_type()
    {
        var request = new FlowEvent { Protocol = L4Protocol.Icmp, IcmpType = 8, SourceIp = "10.0.0.1", DestinationIp = "10.0.0.2", Source = Client, Destination = Server };
        var reply = new FlowEvent { Protocol = L4Protocol.Icmp, IcmpType = 0, SourceIp = "10.0.0.2", DestinationIp = "10.0.0.1", Source = Server, Destination = Client, TimeNs = 1000 };
        var c = Assert.Single(Run(request, reply));
        Assert.Equal((null, 8), (c.Edge.Port, c.Edge.IcmpType));
    }

    [Fact]
    public void World_destinations_are_named_by_the_dns_answers_their_client_resolved()
    {
        var world = EndpointInfo.ForEntity(EntityKind.World);
        var dnsServer = EndpointInfo.ForPod("kube-system", "coredns-5d78c9869d-x7k2p", new Dictionary<string, string> { ["pod-template-hash"] = "5d78c9869d" }, new Dictionary<string, string>(), null, null);
        var answer = new FlowEvent
        {
            Protocol = L4Protocol.Udp, IsReply = true, SourceIp = "10.0.0.10", SourcePort = 53, DestinationIp = "10.0.0.1", DestinationPort = 50000,
            Source = dnsServer, Destination = Client, Dns = new DnsRecord("api.stripe.com.", true, ["52.1.2.3"], 30, 0),
        };
        var call = new FlowEvent
        {
            TimeNs = 1_000_000_000, Protocol = L4Protocol.Tcp, IsReply = false, SourceIp = "10.0.0.1", SourcePort = 41000, DestinationIp = "52.1.2.3", DestinationPort = 443,
            Source = Client, Destination = world,
        };
        var connections = Run(answer, call);
        var external = Assert.Single(connections, c => c.Edge.Port == 443);
        Assert.Equal(["api.stripe.com"], external.Edge.Destination.Names);
        Assert.Equal("52.1.2.3", external.Edge.Destination.Ip);
        var dns = Assert.Single(connections, c => c.Edge.Port == 53);
        Assert.Equal("api.stripe.com", Assert.Single(dns.Dns).Query);
    }
}
