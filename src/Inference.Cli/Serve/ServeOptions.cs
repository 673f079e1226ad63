namespace Inference.Cli.Serve;

/// <summary>
/// <c>inference serve</c>'s settings: the config file (<c>--config inference.yaml</c>), then <c>INFERENCE_*</c>
/// environment variables (<c>__</c> between levels: <c>INFERENCE_RETENTION__HOURLYDAYS=14</c>,
/// <c>INFERENCE_RELAYS__0__ADDRESS=relay:4245</c>), then flags. Keys are case-insensitive.
/// </summary>
internal sealed class ServeOptions
{
    public string Db { get; set; } = "inference.duckdb";
    public string Listen { get; set; } = "127.0.0.1:8080";

    /// <summary>Serve reads (the page, the JSON API, metrics) to non-loopback clients too. Writes always need the token.</summary>
    public bool OpenReads { get; set; }

    /// <summary>Policy format the page shows and export writes.</summary>
    public string Format { get; set; } = "kubernetes";

    /// <summary>Deployed policies (files or directories, as <c>inference diff --deployed</c>): the page shows what they would break.</summary>
    public List<string> Deployed { get; set; } = [];

    public List<RelaySource> Relays { get; set; } = [];
    public List<KafkaSource> Kafka { get; set; } = [];
    public RetentionSettings Retention { get; set; } = new();
    public ExportSettings Export { get; set; } = new();

    /// <summary>Backoff of a failed ingester: doubles from <see cref="RestartInitialSeconds"/> up to <see cref="RestartMaxSeconds"/>.</summary>
    public double RestartInitialSeconds { get; set; } = 1;
    public double RestartMaxSeconds { get; set; } = 300;

    /// <summary>Seconds a graceful stop may take (ingesters flush and commit) before the host gives up.</summary>
    public double ShutdownSeconds { get; set; } = 60;
}

internal sealed class RelaySource
{
    public string Address { get; set; } = "";
    public bool Tls { get; set; }
    public List<string> TlsCaCert { get; set; } = [];
    public string? TlsClientCert { get; set; }
    public string? TlsClientKey { get; set; }
    public string? TlsServerName { get; set; }
    public List<string> Namespaces { get; set; } = [];
}

internal sealed class KafkaSource
{
    public string Brokers { get; set; } = "";
    public string Topic { get; set; } = "";
    public string Group { get; set; } = "inference";
    public bool FromBeginning { get; set; }

    /// <summary>librdkafka settings (security.protocol, sasl.*, ...); secrets are never logged.</summary>
    public Dictionary<string, string> Settings { get; set; } = [];
}

internal sealed class RetentionSettings
{
    /// <summary>Hourly (and 5-minute) buckets older than this many days are rolled up into daily buckets.</summary>
    public int HourlyDays { get; set; } = 14;

    /// <summary>How often the roll-up runs, in minutes.</summary>
    public double IntervalMinutes { get; set; } = 60;
}

internal sealed class ExportSettings
{
    /// <summary>The git working copy the page's export button writes to (export is disabled without it).</summary>
    public string? Repo { get; set; }
    public string Branch { get; set; } = Export.ExportRequest.DefaultBranch;
    public string? Base { get; set; }
    public string Path { get; set; } = Export.ExportRequest.DefaultSubdirectory;
    public bool ApprovedOnly { get; set; } = true;
}
