using Cilium.Observer;
using Google.Protobuf;

namespace Inference.Testing;

/// <summary>
/// One pre-serialized <c>GetFlowsResponse</c> with what the relay needs to filter it without parsing:
/// its time (0: always sent) and the <c>namespace/pod</c> names of its ends (null for non-flow events, which always pass).
/// </summary>
public sealed record RawFixture(byte[] Bytes, long TimeNs, string? SourcePod, string? DestinationPod, bool IsFlow = true)
{
    public static RawFixture From(GetFlowsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new RawFixture(response.ToByteArray(), Fixtures.TimeNs(response),
            response.Flow is { } f ? Fixtures.PodName(f.Source) : null,
            response.Flow is { } g ? Fixtures.PodName(g.Destination) : null, response.Flow is not null);
    }
}
