using Google.Protobuf;
using Grpc.Core;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// <c>/observer.Observer/GetFlows</c> with the responses left as raw bytes: the transport floor of the live-ingest
/// benchmark (a client that receives every message and parses nothing).
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
