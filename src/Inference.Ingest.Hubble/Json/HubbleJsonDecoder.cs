using System.Text;
using System.Text.Json;
using Inference.Core.Aggregation;
using Inference.Core.Connections;
using Inference.Core.Flows;
using Inference.Ingest.Hubble.Decoding;

namespace Inference.Ingest.Hubble.Json;

/// <summary>
/// Decodes what <c>hubble observe -o jsonpb</c> (and <c>-o json</c>, and the Hubble exporter) prints: one
/// <c>GetFlowsResponse</c> per line in protojson with proto field names; also the legacy bare-<c>Flow</c> lines.
/// Reads only the fields Inference stores; unknown fields and enum values are skipped. Not thread-safe (it caches).
/// </summary>
public sealed class HubbleJsonDecoder
{
    private readonly StringPool _strings = new();
    private readonly EndpointCache _endpoints;

    public HubbleJsonDecoder() => _endpoints = new EndpointCache(ResolveEndpoint);

    // the reader state just after an object value at each depth, and where in the line the current reader starts
    private readonly JsonReaderState?[] _afterObject = new JsonReaderState?[4];
    private int _readerOffset;
    private bool _scanEndpoints = true;

    /// <summary>Decodes one line. Throws <see cref="HubbleDecodeException"/> saying what is wrong with it.</summary>
    public DecodedResponse Decode(ReadOnlySpan<byte> line)
    {
        try
        {
            return Checked(line);
        }
        catch (HubbleDecodeException) when (_readerOffset != 0)
        {
            // the reader was restarted after a scanned endpoint, so its positions are off: read the line again the
            // plain way, for an error that points at the right byte
            _scanEndpoints = false;
            try
            {
                return Checked(line);
            }
            finally
            {
                _scanEndpoints = true;
            }
        }
    }

    private DecodedResponse Checked(ReadOnlySpan<byte> line)
    {
        try
        {
            return DecodeLine(line);
        }
        catch (JsonException ex)
        {
            throw new HubbleDecodeException($"not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new HubbleDecodeException($"unexpected JSON value: {ex.Message}", ex);
        }
    }

    private DecodedResponse DecodeLine(ReadOnlySpan<byte> line)
    {
        _readerOffset = 0;
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new HubbleDecodeException("a line must be one JSON object");
        }

        DecodedResponse result = DecodedResponse.Empty;
        string? nodeName = null;
        long timeNs = 0;
        var sawWrapper = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("flow"u8))
            {
                sawWrapper = true;
                reader.Read();
                Expect(ref reader, JsonTokenType.StartObject, "flow");
                // decoded in place: tokenizing the flow once, not once to find its end and again to read it
                result = new DecodedResponse(ResponseKind.Flow, DecodeFlow(ref reader, line), null, null);
            }
            else if (reader.ValueTextEquals("lost_events"u8) || reader.ValueTextEquals("lostEvents"u8))
            {
                sawWrapper = true;
                reader.Read();
                result = new DecodedResponse(ResponseKind.LostEvents, null, DecodeLost(ref reader), null);
            }
            else if (reader.ValueTextEquals("node_status"u8) || reader.ValueTextEquals("nodeStatus"u8))
            {
                sawWrapper = true;
                reader.Read();
                result = new DecodedResponse(ResponseKind.NodeStatus, null, null, DecodeNodeStatus(ref reader));
            }
            else if (reader.ValueTextEquals("node_name"u8) || reader.ValueTextEquals("nodeName"u8))
            {
                reader.Read();
                nodeName = reader.TokenType == JsonTokenType.String ? _strings.Get(reader.ValueSpan) : null;
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                timeNs = ReadTime(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawWrapper)
        {
            // HUBBLE_COMPAT=legacy-json-output prints the bare Flow object
            return line.IndexOf("\"verdict\""u8) >= 0 || line.IndexOf("\"IP\""u8) >= 0 || line.IndexOf("\"l4\""u8) >= 0
                ? new DecodedResponse(ResponseKind.Flow, DecodeBareFlow(line), null, null)
                : DecodedResponse.Empty;
        }

        switch (result.Kind)
        {
            case ResponseKind.Flow when result.Flow!.Node.Length == 0 && nodeName is not null:
                result.Flow.Node = nodeName;
                break;
            case ResponseKind.Flow when result.Flow!.TimeNs == 0:
                result.Flow.TimeNs = timeNs;
                break;
            case ResponseKind.LostEvents:
                result = result with { Lost = result.Lost! with { Node = nodeName ?? "", ObservedNs = timeNs } };
                break;
            case ResponseKind.NodeStatus:
                result = result with { NodeStatus = result.NodeStatus! with { TimeNs = timeNs } };
                break;
        }

        if (result.Kind == ResponseKind.Flow && result.Flow!.TimeNs == 0)
        {
            result.Flow.TimeNs = timeNs;
        }

        return result;
    }

    private FlowEvent DecodeBareFlow(ReadOnlySpan<byte> line)
    {
        _readerOffset = 0;
        var reader = new Utf8JsonReader(line);
        reader.Read();
        return DecodeFlow(ref reader, line);
    }

    /// <summary>Reads a Flow object; <paramref name="reader"/> is on its StartObject and is left on its EndObject.</summary>
    private FlowEvent DecodeFlow(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var e = new FlowEvent { Source = EndpointInfo.Unknown, Destination = EndpointInfo.Unknown };
        ReadOnlySpan<byte> uuid = default;
        bool? deprecatedReply = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            switch (name)
            {
                case var _ when name.SequenceEqual("time"u8):
                    e.TimeNs = ReadTime(ref reader);
                    break;
                case var _ when name.SequenceEqual("uuid"u8):
                    uuid = reader.ValueSpan;
                    break;
                case var _ when name.SequenceEqual("verdict"u8):
                    e.Verdict = reader.TokenType == JsonTokenType.Number ? (Verdict)reader.GetInt32() : VerdictNames.Parse(reader.GetString() ?? "");
                    break;
                case var _ when name.SequenceEqual("drop_reason_desc"u8) || name.SequenceEqual("dropReasonDesc"u8):
                    e.DropReason = reader.TokenType == JsonTokenType.Number ? DropReasons.Name(reader.GetInt32()) : _strings.Get(reader.ValueSpan);
                    break;
                case var _ when name.SequenceEqual("drop_reason"u8) || name.SequenceEqual("dropReason"u8):
                    if (reader.TokenType == JsonTokenType.Number)
                    {
                        e.DropReason ??= DropReasons.Name(reader.GetInt32());
                    }

                    break;
                case var _ when name.SequenceEqual("IP"u8):
                    ReadIp(ref reader, e);
                    break;
                case var _ when name.SequenceEqual("l4"u8):
                    ReadL4(ref reader, e);
                    break;
                case var _ when name.SequenceEqual("source"u8):
                    e.Source = ReadEndpoint(ref reader, json);
                    break;
                case var _ when name.SequenceEqual("destination"u8):
                    e.Destination = ReadEndpoint(ref reader, json);
                    break;
                case var _ when name.SequenceEqual("node_name"u8) || name.SequenceEqual("nodeName"u8):
                    e.Node = _strings.Get(reader.ValueSpan);
                    break;
                case var _ when name.SequenceEqual("destination_names"u8) || name.SequenceEqual("destinationNames"u8):
                    e.DestinationNames = ReadStrings(ref reader);
                    break;
                case var _ when name.SequenceEqual("l7"u8):
                    ReadL7(ref reader, e);
                    break;
                case var _ when name.SequenceEqual("is_reply"u8) || name.SequenceEqual("isReply"u8):
                    e.IsReply = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => null,
                    };
                    break;
                case var _ when name.SequenceEqual("reply"u8):
                    deprecatedReply = reader.TokenType == JsonTokenType.True;
                    break;
                case var _ when name.SequenceEqual("event_type"u8) || name.SequenceEqual("eventType"u8):
                    e.EventType = ReadEventType(ref reader);
                    break;
                case var _ when name.SequenceEqual("traffic_direction"u8) || name.SequenceEqual("trafficDirection"u8):
                    e.Direction = reader.TokenType == JsonTokenType.Number ? (TrafficDirection)reader.GetInt32() : reader.ValueSpan.SequenceEqual("INGRESS"u8) ? TrafficDirection.Ingress : reader.ValueSpan.SequenceEqual("EGRESS"u8) ? TrafficDirection.Egress : TrafficDirection.Unknown;
                    break;
                case var _ when name.SequenceEqual("trace_observation_point"u8) || name.SequenceEqual("traceObservationPoint"u8):
                    e.ObservationPoint = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : ObservationPoints.Parse(reader.ValueSpan);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        // the deprecated `reply` is only ever true; it says something only when is_reply is absent
        e.IsReply ??= deprecatedReply == true ? true : null;
        e.DedupeKey = uuid.IsEmpty ? DedupeKeys.FromContent(e) : DedupeKeys.FromUuid(uuid);
        return e;
    }

    private static long ReadTime(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || !Rfc3339.TryParseNs(reader.ValueSpan, out var ns))
        {
            throw new HubbleDecodeException($"time is not an RFC 3339 timestamp: {Encoding.UTF8.GetString(reader.ValueSpan)}");
        }

        return ns;
    }

    private void ReadIp(ref Utf8JsonReader reader, FlowEvent e)
    {
        Expect(ref reader, JsonTokenType.StartObject, "IP");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSource = reader.ValueTextEquals("source"u8);
            var isDestination = reader.ValueTextEquals("destination"u8);
            reader.Read();
            if (isSource)
            {
                e.SourceIp = _strings.Get(reader.ValueSpan);
            }
            else if (isDestination)
            {
                e.DestinationIp = _strings.Get(reader.ValueSpan);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadL4(ref Utf8JsonReader reader, FlowEvent e)
    {
        Expect(ref reader, JsonTokenType.StartObject, "l4");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var protocol = reader.ValueSpan switch
            {
                var p when p.SequenceEqual("TCP"u8) => L4Protocol.Tcp,
                var p when p.SequenceEqual("UDP"u8) => L4Protocol.Udp,
                var p when p.SequenceEqual("SCTP"u8) => L4Protocol.Sctp,
                var p when p.SequenceEqual("ICMPv4"u8) || p.SequenceEqual("ICMPv6"u8) => L4Protocol.Icmp,
                _ => L4Protocol.Unknown,
            };
            reader.Read();
            if (protocol == L4Protocol.Unknown || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            e.Protocol = protocol;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueSpan;
                reader.Read();
                if (field.SequenceEqual("source_port"u8) || field.SequenceEqual("sourcePort"u8))
                {
                    e.SourcePort = reader.GetInt32();
                }
                else if (field.SequenceEqual("destination_port"u8) || field.SequenceEqual("destinationPort"u8))
                {
                    e.DestinationPort = reader.GetInt32();
                }
                else if (field.SequenceEqual("type"u8))
                {
                    e.IcmpType = reader.GetInt32();
                }
                else if (field.SequenceEqual("flags"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var flag = reader.ValueSpan;
                        reader.Read();
                        var set = reader.TokenType == JsonTokenType.True;
                        if (flag.SequenceEqual("SYN"u8))
                        {
                            e.TcpSyn = set;
                        }
                        else if (flag.SequenceEqual("ACK"u8))
                        {
                            e.TcpAck = set;
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>
    /// An endpoint is most of a flow's bytes and nearly always one seen before: its end is found by a structural scan
    /// and the reader restarted after it, in the state a reader has after skipping an object at that depth (captured
    /// the first time). The bytes then go to the cache, which parses (and so validates) only ones it has not seen.
    /// </summary>
    private EndpointInfo ReadEndpoint(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        Expect(ref reader, JsonTokenType.StartObject, "endpoint");
        var start = _readerOffset + (int)reader.TokenStartIndex;
        var depth = reader.CurrentDepth;
        if (_scanEndpoints && depth < _afterObject.Length && _afterObject[depth] is { } after)
        {
            var end = JsonObjectEnd.Find(json, start);
            if (end > 0)
            {
                reader = new Utf8JsonReader(json[end..], isFinalBlock: true, after);
                _readerOffset = end;
                return _endpoints.GetOrAdd(json[start..end]);
            }

            // not closed: the reader below says where it breaks
        }

        reader.Skip();
        if (depth < _afterObject.Length)
        {
            _afterObject[depth] = reader.CurrentState;
        }

        return _endpoints.GetOrAdd(json[start..(_readerOffset + (int)reader.BytesConsumed)]);
    }

    private EndpointInfo ResolveEndpoint(byte[] raw)
    {
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        uint identity = 0;
        string ns = "", pod = "";
        string? workloadName = null, workloadKind = null;
        IReadOnlyList<string> labels = [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("identity"u8))
            {
                identity = reader.GetUInt32();
            }
            else if (name.SequenceEqual("namespace"u8))
            {
                ns = reader.GetString() ?? "";
            }
            else if (name.SequenceEqual("pod_name"u8) || name.SequenceEqual("podName"u8))
            {
                pod = reader.GetString() ?? "";
            }
            else if (name.SequenceEqual("labels"u8))
            {
                labels = ReadStrings(ref reader);
            }
            else if (name.SequenceEqual("workloads"u8) && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var field = reader.ValueSpan;
                        reader.Read();
                        if (field.SequenceEqual("name"u8))
                        {
                            workloadName ??= reader.GetString();
                        }
                        else if (field.SequenceEqual("kind"u8))
                        {
                            workloadKind ??= reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return EndpointResolver.Resolve(identity, ns, labels, pod, workloadName, workloadKind);
    }

    private void ReadL7(ref Utf8JsonReader reader, FlowEvent e)
    {
        Expect(ref reader, JsonTokenType.StartObject, "l7");
        var isResponse = false;
        string? query = null, method = null, url = null;
        IReadOnlyList<string> ips = [];
        uint ttl = 0;
        int rcode = 0, code = 0;
        bool dns = false, http = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("type"u8))
            {
                isResponse = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() == 2 : reader.ValueTextEquals("RESPONSE"u8);
            }
            else if (name.SequenceEqual("dns"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                dns = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.ValueSpan;
                    reader.Read();
                    if (field.SequenceEqual("query"u8)) query = reader.GetString();
                    else if (field.SequenceEqual("ips"u8)) ips = ReadStrings(ref reader);
                    else if (field.SequenceEqual("ttl"u8)) ttl = reader.GetUInt32();
                    else if (field.SequenceEqual("rcode"u8)) rcode = reader.GetInt32();
                    else reader.Skip();
                }
            }
            else if (name.SequenceEqual("http"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                http = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.ValueSpan;
                    reader.Read();
                    if (field.SequenceEqual("code"u8)) code = reader.GetInt32();
                    else if (field.SequenceEqual("method"u8)) method = reader.GetString();
                    else if (field.SequenceEqual("url"u8)) url = reader.GetString();
                    else reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (dns && query is not null)
        {
            e.Dns = new DnsRecord(query, isResponse, ips, ttl, rcode);
        }
        else if (http)
        {
            e.Http = new HttpRecord(method ?? "", HttpPaths.PathOf(url), isResponse, code);
        }
    }

    private IReadOnlyList<string> ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return [];
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            list.Add(_strings.Get(reader.ValueSpan));
        }

        return list;
    }

    private static int ReadEventType(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "event_type");
        var type = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                type = reader.GetInt32();
            }
            else
            {
                reader.Skip();
            }
        }

        return type;
    }

    private static LostEventRecord DecodeLost(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "lost_events");
        string source = "UNKNOWN_LOST_EVENT_SOURCE";
        long count = 0;
        long? first = null, last = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("source"u8))
            {
                source = reader.TokenType == JsonTokenType.Number ? LostSources.Name(reader.GetInt32()) : reader.GetString() ?? source;
            }
            else if (name.SequenceEqual("num_events_lost"u8) || name.SequenceEqual("numEventsLost"u8))
            {
                // 64-bit integers are JSON strings in protojson
                count = reader.TokenType == JsonTokenType.String ? long.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : reader.GetInt64();
            }
            else if (name.SequenceEqual("first"u8))
            {
                first = ReadTime(ref reader);
            }
            else if (name.SequenceEqual("last"u8))
            {
                last = ReadTime(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new LostEventRecord("", source, count, first, last, 0);
    }

    private static NodeStatusEvent DecodeNodeStatus(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject, "node_status");
        string state = "UNKNOWN_NODE_STATE";
        string? message = null;
        var nodes = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("state_change"u8) || name.SequenceEqual("stateChange"u8))
            {
                state = reader.TokenType == JsonTokenType.Number ? NodeStates.Name(reader.GetInt32()) : reader.GetString() ?? state;
            }
            else if ((name.SequenceEqual("node_names"u8) || name.SequenceEqual("nodeNames"u8)) && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    nodes.Add(reader.GetString()!);
                }
            }
            else if (name.SequenceEqual("message"u8))
            {
                message = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return new NodeStatusEvent(state, nodes, message, 0);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw new HubbleDecodeException($"{what} must be a JSON {(type == JsonTokenType.StartObject ? "object" : type.ToString())}, not {reader.TokenType}");
        }
    }
}
