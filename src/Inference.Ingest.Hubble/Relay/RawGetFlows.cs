using Google.Protobuf;
using Grpc.Core;

namespace Inference.Ingest.Hubble.Relay;

/// <summary>
/// <c>/observer.Observer/GetFlows</c> with the responses left as raw bytes: the lean decoder reads them off the
/// receive loop instead of Google.Protobuf materialising every field of every flow.
/// </summary>
internal static class RawGetFlows
{
    public static readonly Method<Cilium.Observer.GetFlowsRequest, byte[]> Method = new(
        MethodType.ServerStreaming,
        "observer.Observer",
        "GetFlows",
        Marshallers.Create(r => r.ToByteArray(), Cilium.Observer.GetFlowsRequest.Parser.ParseFrom),
        Marshallers.Create(bytes => bytes, bytes => bytes));
}
