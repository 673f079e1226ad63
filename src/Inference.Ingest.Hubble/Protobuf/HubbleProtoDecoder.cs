using Inference.Core.Aggregation;
using Inference.Core.Connections;
using Inference.Core.Flows;
using Inference.Ingest.Hubble.Decoding;

namespace Inference.Ingest.Hubble.Protobuf;

/// <summary>
/// The lean decode path for <c>observer.GetFlowsResponse</c> bytes: reads only the fields Inference stores, straight
/// from the wire, interning repeated strings and resolving each distinct endpoint once. Field numbers are Cilium 1.19's;
/// unknown fields and enum values are skipped. Not thread-safe (it caches).
/// </summary>
public sealed class HubbleProtoDecoder
{
    private readonly StringPool _strings = new();
    private readonly EndpointCache _endpoints;

    public HubbleProtoDecoder() => _endpoints = new EndpointCache(ResolveEndpoint);

    public DecodedResponse Decode(ReadOnlySpan<byte> message)
    {
        var reader = new WireReader(message);
        var result = DecodedResponse.Empty;
        string? nodeName = null;
        long timeNs = 0;
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2:
                    result = new DecodedResponse(ResponseKind.Flow, DecodeFlow(reader.ReadBytes()), null, null);
                    break;
                case 2 when wire == 2:
                    {
                        var status = Cilium.Relay.NodeStatusEvent.Parser.ParseFrom(reader.ReadBytes());
                        result = new DecodedResponse(ResponseKind.NodeStatus, null, null,
                            new NodeStatusEvent(NodeStates.Name((int)status.StateChange), status.NodeNames.ToList(), status.Message.Length == 0 ? null : status.Message, 0));
                        break;
                    }

                case 3 when wire == 2:
                    {
                        var lost = Cilium.Flow.LostEvent.Parser.ParseFrom(reader.ReadBytes());
                        result = new DecodedResponse(ResponseKind.LostEvents, null,
                            new LostEventRecord("", LostSources.Name((int)lost.Source), (long)lost.NumEventsLost,
                                lost.First is null ? null : ToNs(lost.First.Seconds, lost.First.Nanos),
                                lost.Last is null ? null : ToNs(lost.Last.Seconds, lost.Last.Nanos), 0), null);
                        break;
                    }

                case 1000 when wire == 2:
                    nodeName = _strings.Get(reader.ReadBytes());
                    break;
                case 1001 when wire == 2:
                    timeNs = ReadTimestamp(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return result.Kind switch
        {
            ResponseKind.Flow => Finish(result, nodeName, timeNs),
            ResponseKind.LostEvents => result with { Lost = result.Lost! with { Node = nodeName ?? "", ObservedNs = timeNs } },
            ResponseKind.NodeStatus => result with { NodeStatus = result.NodeStatus! with { TimeNs = timeNs } },
            _ => result,
        };
    }

    private static DecodedResponse Finish(DecodedResponse result, string? nodeName, long timeNs)
    {
        var flow = result.Flow!;
        if (flow.Node.Length == 0 && nodeName is not null)
        {
            flow.Node = nodeName;
        }

        if (flow.TimeNs == 0)
        {
            flow.TimeNs = timeNs;
        }

        return result;
    }

    private FlowEvent DecodeFlow(ReadOnlySpan<byte> flow)
    {
        var e = new FlowEvent { Source = EndpointInfo.Unknown, Destination = EndpointInfo.Unknown };
        var reader = new WireReader(flow);
        ReadOnlySpan<byte> uuid = default;
        var deprecatedReply = false;
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2: e.TimeNs = ReadTimestamp(reader.ReadBytes()); break;
                case 34 when wire == 2: uuid = reader.ReadBytes(); break;
                case 2 when wire == 0: e.Verdict = (Verdict)(int)reader.ReadVarint(); break;
                case 3 when wire == 0:
                    {
                        var code = (int)reader.ReadVarint();
                        e.DropReason ??= code == 0 ? null : DropReasons.Name(code);
                        break;
                    }

                case 25 when wire == 0:
                    {
                        var code = (int)reader.ReadVarint();
                        if (code != 0)
                        {
                            e.DropReason = DropReasons.Name(code);
                        }

                        break;
                    }

                case 5 when wire == 2: ReadIp(reader.ReadBytes(), e); break;
                case 6 when wire == 2: ReadL4(reader.ReadBytes(), e); break;
                case 8 when wire == 2: e.Source = ReadEndpoint(reader.ReadBytes()); break;
                case 9 when wire == 2: e.Destination = ReadEndpoint(reader.ReadBytes()); break;
                case 11 when wire == 2: e.Node = _strings.Get(reader.ReadBytes()); break;
                case 14 when wire == 2:
                    {
                        var names = e.DestinationNames as List<string> ?? [];
                        names.Add(_strings.Get(reader.ReadBytes()));
                        e.DestinationNames = names;
                        break;
                    }

                case 15 when wire == 2: ReadL7(reader.ReadBytes(), e); break;
                case 16 when wire == 0: deprecatedReply = reader.ReadVarint() != 0; break;
                case 19 when wire == 2: e.EventType = ReadFirstVarintField(reader.ReadBytes(), 1); break;
                case 22 when wire == 0: e.Direction = (TrafficDirection)(int)reader.ReadVarint(); break;
                case 24 when wire == 0: e.ObservationPoint = (int)reader.ReadVarint(); break;
                // BoolValue wrapper: present means known; an empty wrapper is false
                case 26 when wire == 2: e.IsReply = ReadFirstVarintField(reader.ReadBytes(), 1) != 0; break;
                default: reader.Skip(wire); break;
            }
        }

        e.IsReply ??= deprecatedReply ? true : null;
        e.DedupeKey = uuid.IsEmpty ? DedupeKeys.FromContent(e) : DedupeKeys.FromUuid(uuid);
        return e;
    }

    private void ReadIp(ReadOnlySpan<byte> ip, FlowEvent e)
    {
        var reader = new WireReader(ip);
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
            {
                e.SourceIp = _strings.Get(reader.ReadBytes());
            }
            else if (field == 2 && wire == 2)
            {
                e.DestinationIp = _strings.Get(reader.ReadBytes());
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    private static void ReadL4(ReadOnlySpan<byte> l4, FlowEvent e)
    {
        var reader = new WireReader(l4);
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            var protocol = field switch
            {
                1 => L4Protocol.Tcp,
                2 => L4Protocol.Udp,
                3 or 4 => L4Protocol.Icmp,
                5 => L4Protocol.Sctp,
                _ => L4Protocol.Unknown,
            };
            if (protocol == L4Protocol.Unknown || wire != 2)
            {
                reader.Skip(wire);
                continue;
            }

            e.Protocol = protocol;
            var inner = new WireReader(reader.ReadBytes());
            while (!inner.IsAtEnd)
            {
                var (f, w) = inner.ReadTag();
                if (protocol == L4Protocol.Icmp && f == 1 && w == 0)
                {
                    e.IcmpType = (int)inner.ReadVarint();
                }
                else if (protocol != L4Protocol.Icmp && f == 1 && w == 0)
                {
                    e.SourcePort = (int)inner.ReadVarint();
                }
                else if (protocol != L4Protocol.Icmp && f == 2 && w == 0)
                {
                    e.DestinationPort = (int)inner.ReadVarint();
                }
                else if (protocol == L4Protocol.Tcp && f == 3 && w == 2)
                {
                    var flags = new WireReader(inner.ReadBytes());
                    while (!flags.IsAtEnd)
                    {
                        var (flag, fw) = flags.ReadTag();
                        if (fw != 0)
                        {
                            flags.Skip(fw);
                            continue;
                        }

                        var set = flags.ReadVarint() != 0;
                        if (flag == 2)
                        {
                            e.TcpSyn = set;
                        }
                        else if (flag == 5)
                        {
                            e.TcpAck = set;
                        }
                    }
                }
                else
                {
                    inner.Skip(w);
                }
            }
        }
    }

    private EndpointInfo ReadEndpoint(ReadOnlySpan<byte> raw) => _endpoints.GetOrAdd(raw);

    private EndpointInfo ResolveEndpoint(byte[] raw)
    {
        var reader = new WireReader(raw);
        uint identity = 0;
        string ns = "", pod = "";
        string? workloadName = null, workloadKind = null;
        var labels = new List<string>();
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 2 when wire == 0: identity = (uint)reader.ReadVarint(); break;
                case 3 when wire == 2: ns = _strings.Get(reader.ReadBytes()); break;
                case 4 when wire == 2: labels.Add(_strings.Get(reader.ReadBytes())); break;
                case 5 when wire == 2: pod = _strings.Get(reader.ReadBytes()); break;
                case 6 when wire == 2:
                    {
                        var workload = new WireReader(reader.ReadBytes());
                        while (!workload.IsAtEnd)
                        {
                            var (f, w) = workload.ReadTag();
                            if (f == 1 && w == 2) workloadName ??= _strings.Get(workload.ReadBytes());
                            else if (f == 2 && w == 2) workloadKind ??= _strings.Get(workload.ReadBytes());
                            else workload.Skip(w);
                        }

                        break;
                    }

                default: reader.Skip(wire); break;
            }
        }

        return EndpointResolver.Resolve(identity, ns, labels, pod, workloadName, workloadKind);
    }

    private void ReadL7(ReadOnlySpan<byte> l7, FlowEvent e)
    {
        var reader = new WireReader(l7);
        var isResponse = false;
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 0)
            {
                isResponse = reader.ReadVarint() == 2;
            }
            else if (field == 100 && wire == 2)
            {
                var dns = new WireReader(reader.ReadBytes());
                string query = "";
                var ips = new List<string>();
                uint ttl = 0;
                var rcode = 0;
                while (!dns.IsAtEnd)
                {
                    var (f, w) = dns.ReadTag();
                    if (f == 1 && w == 2) query = _strings.Get(dns.ReadBytes());
                    else if (f == 2 && w == 2) ips.Add(_strings.Get(dns.ReadBytes()));
                    else if (f == 3 && w == 0) ttl = (uint)dns.ReadVarint();
                    else if (f == 6 && w == 0) rcode = (int)dns.ReadVarint();
                    else dns.Skip(w);
                }

                e.Dns = new DnsRecord(query, isResponse, ips, ttl, rcode);
            }
            else if (field == 101 && wire == 2)
            {
                var http = new WireReader(reader.ReadBytes());
                string method = "", url = "";
                var code = 0;
                while (!http.IsAtEnd)
                {
                    var (f, w) = http.ReadTag();
                    if (f == 1 && w == 0) code = (int)http.ReadVarint();
                    else if (f == 2 && w == 2) method = _strings.Get(http.ReadBytes());
                    else if (f == 3 && w == 2) url = System.Text.Encoding.UTF8.GetString(http.ReadBytes());
                    else http.Skip(w);
                }

                e.Http = new HttpRecord(method, HttpPaths.PathOf(url), isResponse, code);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        // a response's record type arrives before or after the record itself
        if (isResponse)
        {
            e.Dns = e.Dns is null ? null : e.Dns with { IsResponse = true };
            e.Http = e.Http is null ? null : e.Http with { IsResponse = true };
        }
    }

    private static int ReadFirstVarintField(ReadOnlySpan<byte> message, int wanted)
    {
        var reader = new WireReader(message);
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == wanted && wire == 0)
            {
                return (int)reader.ReadVarint();
            }

            reader.Skip(wire);
        }

        return 0;
    }

    private static long ReadTimestamp(ReadOnlySpan<byte> timestamp)
    {
        var reader = new WireReader(timestamp);
        long seconds = 0;
        var nanos = 0;
        while (!reader.IsAtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 0) seconds = (long)reader.ReadVarint();
            else if (field == 2 && wire == 0) nanos = (int)reader.ReadVarint();
            else reader.Skip(wire);
        }

        return ToNs(seconds, nanos);
    }

    private static long ToNs(long seconds, int nanos) => (seconds * 1_000_000_000L) + nanos;
}
