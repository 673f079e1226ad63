using System.Buffers;
using Grpc.Core;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Protobuf;

namespace Inference.Ingest.Hubble.Relay;

/// <summary>One relay message as the receive loop hands it on: decoded, or the reason it could not be.</summary>
internal sealed record RelayMessage(DecodedResponse Response, string? Error);

/// <summary>
/// <c>/observer.Observer/GetFlows</c> with each response decoded by the lean decoder straight from the buffer gRPC read it
/// into: no byte array per message and no copy, so only the few fields Inference stores are ever materialised. gRPC
/// deserializes one message at a time per call, so one decoder (it caches) serves the whole stream.
/// </summary>
internal static class DecodedGetFlows
{
    public static Method<Cilium.Observer.GetFlowsRequest, RelayMessage> Create(HubbleProtoDecoder decoder) => new(
        MethodType.ServerStreaming,
        "observer.Observer",
        "GetFlows",
        Marshallers.Create(Google.Protobuf.MessageExtensions.ToByteArray, Cilium.Observer.GetFlowsRequest.Parser.ParseFrom),
        Marshallers.Create<RelayMessage>((_, _) => throw new NotSupportedException("responses are only read"), context => Decode(decoder, context)));

    private static RelayMessage Decode(HubbleProtoDecoder decoder, DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        try
        {
            if (payload.IsSingleSegment)
            {
                return new RelayMessage(decoder.Decode(payload.FirstSpan), null);
            }

            // a message split across buffers: rare, decoded from one pooled copy
            var length = checked((int)payload.Length);
            var rented = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                payload.CopyTo(rented);
                return new RelayMessage(decoder.Decode(rented.AsSpan(0, length)), null);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        catch (HubbleDecodeException ex)
        {
            // one bad message must not end the stream: it is reported and skipped by the processing loop
            return new RelayMessage(DecodedResponse.Empty, ex.Message);
        }
    }
}
