namespace Inference.Ingest.Hubble.Relay;

/// <summary>Where and how to stream flows from Hubble Relay; TLS settings are named as in the hubble CLI.</summary>
public sealed record RelayOptions
{
    /// <summary><c>HOST:PORT</c>; a <c>tls://</c> prefix implies <see cref="Tls"/>, as in the hubble CLI.</summary>
    public required string Address { get; init; }
    public bool Tls { get; init; }
    public IReadOnlyList<string> TlsCaCertFiles { get; init; } = [];
    public string? TlsClientCertFile { get; init; }
    public string? TlsClientKeyFile { get; init; }
    public string? TlsServerName { get; init; }
    public bool TlsAllowInsecure { get; init; }

    /// <summary>Flows at or after this time on the first connect (later connects resume from the store).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only flows from or to these namespaces (sent as whitelist filters).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>Stop after this long (scripts, CI).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop after this long without a flow.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>
    /// A reconnect asks for flows from the last one stored minus this margin (relay ordering across nodes is best-effort).
    /// Keep it under a minute: a run remembers the connections it stored only that far before its resume point.
    /// </summary>
    public TimeSpan ResumeMargin { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Raw messages waiting between the receive loop and the decoder (bounded: a slow store slows the reader, visibly).</summary>
    public int ReceiveBuffer { get; init; } = 8192;

    public bool UsesTls => Tls || Address.StartsWith("tls://", StringComparison.OrdinalIgnoreCase);

    public string HostPort => Address.StartsWith("tls://", StringComparison.OrdinalIgnoreCase) ? Address[6..] : Address;
}
