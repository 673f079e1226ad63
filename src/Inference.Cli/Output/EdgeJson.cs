using System.Text.Json;
using Inference.Core.Flows;
using Inference.Store.Reading;

namespace Inference.Cli.Output;

/// <summary>The JSON shape of an edge, shared by `edges`, and by the later `diff` and `suggest` reports.</summary>
public static class EdgeJson
{
    public static void WritePeer(Utf8JsonWriter json, string property, Peer peer)
    {
        json.WriteStartObject(property);
        if (peer.IsWorkload)
        {
            json.WriteString("namespace", peer.Namespace);
            json.WriteString("workload", peer.Workload);
            json.WriteString("kind", peer.WorkloadKind!.Value.ToString());
        }
        else
        {
            json.WriteString("entity", peer.Entity!.Value.ToWire());
            if (peer.Ip is not null)
            {
                json.WriteString("ip", peer.Ip);
            }

            if (peer.Names.Count > 0)
            {
                json.WriteStartArray("names");
                foreach (var name in peer.Names)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
            }

            if (peer.Name is not null)
            {
                json.WriteString("name", peer.Name);
            }
        }

        json.WriteEndObject();
    }

    /// <summary>source, destination, protocol, port (null for ICMP, which has icmpType).</summary>
    public static void WriteEdgeFields(Utf8JsonWriter json, EdgeKey edge)
    {
        WritePeer(json, "source", edge.Source);
        WritePeer(json, "destination", edge.Destination);
        json.WriteString("protocol", edge.Protocol.ToWire());
        if (edge.Port is { } port)
        {
            json.WriteNumber("port", port);
        }
        else
        {
            json.WriteNull("port");
        }

        if (edge.Protocol == L4Protocol.Icmp)
        {
            json.WriteNumber("icmpType", edge.IcmpType ?? 0);
        }
    }

    public static void WriteEdge(Utf8JsonWriter json, EdgeRecord edge)
    {
        json.WriteStartObject();
        WriteEdgeFields(json, edge.Edge);
        json.WriteNumber("connections", edge.Connections);
        WriteCounts(json, "verdicts", edge.Verdicts);
        WriteCounts(json, "dropReasons", edge.DropReasons);
        json.WriteString("firstSeen", Time(edge.FirstSeen));
        json.WriteString("lastSeen", Time(edge.LastSeen));
        json.WriteNumber("distinctSourcePods", edge.DistinctSourcePods);
        json.WriteNumber("distinctDestinationPods", edge.DistinctDestinationPods);
        json.WriteEndObject();
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteCounts(Utf8JsonWriter json, string property, IReadOnlyDictionary<string, long> counts)
    {
        json.WriteStartObject(property);
        foreach (var (key, value) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(key, value);
        }

        json.WriteEndObject();
    }
}
