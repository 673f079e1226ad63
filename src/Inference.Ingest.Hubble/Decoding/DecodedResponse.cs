using Inference.Core.Aggregation;
using Inference.Core.Connections;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>What one <c>GetFlowsResponse</c> (or one <c>-o jsonpb</c> line) carried.</summary>
public enum ResponseKind : byte
{
    /// <summary>No oneof set, or a kind we do not use (agent/debug events): skipped, as the hubble CLI does.</summary>
    Empty = 0,
    Flow,
    LostEvents,
    NodeStatus,
}

/// <summary>A decoded response. Only the member matching <see cref="Kind"/> is set.</summary>
public readonly record struct DecodedResponse(ResponseKind Kind, FlowEvent? Flow, LostEventRecord? Lost, NodeStatusEvent? NodeStatus)
{
    public static DecodedResponse Empty => new(ResponseKind.Empty, null, null, null);
}

/// <summary>A relay node status change: which nodes, what state, why.</summary>
public sealed record NodeStatusEvent(string State, IReadOnlyList<string> Nodes, string? Message, long TimeNs);

/// <summary>A line or message that could not be decoded, with why.</summary>
public sealed class HubbleDecodeException(string message, Exception? inner = null) : Exception(message, inner);
