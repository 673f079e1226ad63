using System.Security.Cryptography.X509Certificates;
using Cilium.Observer;

namespace Inference.Testing;

/// <summary>How the stream of the first <c>GetFlows</c> call is broken (to make the client reconnect).</summary>
public enum RelayFault
{
    /// <summary>No fault.</summary>
    None,

    /// <summary>Abort the HTTP/2 stream (RST_STREAM) without a gRPC status, as a relay pod that goes away.</summary>
    Abort,

    /// <summary>End the call with <c>UNAVAILABLE</c> after the messages were sent.</summary>
    Unavailable,
}

/// <summary>TLS for the test relay: a server certificate (with its key) and, for mTLS, the CA client certificates must chain to.</summary>
public sealed record TestRelayTls
{
    public required X509Certificate2 ServerCertificate { get; init; }

    /// <summary>When set, the server requires a client certificate issued by this CA (mTLS).</summary>
    public X509Certificate2? ClientCa { get; init; }
}

/// <summary>
/// What a <see cref="TestRelay"/> serves. Give either <see cref="Responses"/> (typed fixtures, written by a
/// <see cref="Observer.ObserverBase"/> subclass) or <see cref="RawMessages"/> (pre-serialized messages written through a
/// raw-bytes method, so the relay costs next to nothing per message in a benchmark; see <see cref="TestRelay.Preserialize"/>).
/// </summary>
public sealed record TestRelayOptions
{
    public IReadOnlyList<GetFlowsResponse> Responses { get; init; } = [];

    /// <summary>Pre-serialized <c>GetFlowsResponse</c> messages; when non-null the relay runs in raw mode and ignores <see cref="Responses"/>.</summary>
    public IReadOnlyList<RawFixture>? RawMessages { get; init; }

    /// <summary>Fault applied to the first call only, after <see cref="FaultAfterMessages"/> messages were written.</summary>
    public RelayFault Fault { get; init; }

    public int FaultAfterMessages { get; init; }

    public TestRelayTls? Tls { get; init; }

    /// <summary>
    /// Where the relay's ring buffer starts for every call after the first: flows older than this were overwritten while
    /// the client was away (Hubble keeps only the last 4095 events per node), so a resumed call cannot get them.
    /// </summary>
    public DateTimeOffset? BufferStartAfterFirstCall { get; init; }

    /// <summary>Port on 127.0.0.1; 0 (the default) picks a free one. A fixed port brings a relay "back" at the address a client retries.</summary>
    public int Port { get; init; }

    /// <summary>When set, every call is refused with this status (a relay that denies us: the client must not spin on it).</summary>
    public Grpc.Core.StatusCode? RefuseWith { get; init; }

    /// <summary>Pause between messages (to make a follow stream trickle); zero by default.</summary>
    public TimeSpan DelayBetweenMessages { get; init; }
}
