using Inference.Core.Connections;

namespace Inference.Ingest.Hubble.Pipeline;

/// <summary>How a Hubble stream is turned into stored edges.</summary>
public sealed record IngestOptions
{
    /// <summary>The source's name in the store (a relay address, a file path).</summary>
    public required string Source { get; init; }

    /// <summary>
    /// The store's name for a relay source: <c>ingest hubble --relay</c> and <c>serve</c> both use it, so either resumes
    /// what the other stored.
    /// </summary>
    public static string RelaySource(string address) => "hubble-relay:" + address;

    /// <summary><c>hubble-relay</c> or <c>hubble-file</c>.</summary>
    public required string SourceKind { get; init; }

    public string? Address { get; init; }
    public ConnectionOptions Connections { get; init; } = new();

    /// <summary>Edges are counted per bucket of this size.</summary>
    public TimeSpan Bucket { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Closed connections are written at least this often.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>... or as soon as this many edge buckets are pending.</summary>
    public int FlushBuckets { get; init; } = 20_000;

    /// <summary>
    /// How far before the newest flow a restart after a crash replays at most. The resume point is the first event of
    /// the oldest connection still open, capped at this: a keep-alive connection can stay open for days, and replaying
    /// from its start would re-read hours the store already holds. Such a connection is then counted from the replay,
    /// once, with a later first-seen time.
    /// </summary>
    public TimeSpan ResumeReach { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Raw flow lines kept in <c>raw_flows</c> for debugging, at most this many per run (file import only; 0 keeps none).</summary>
    public int KeepRaw { get; init; }
}
