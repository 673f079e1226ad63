using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Relay;
using Inference.Store;
using Inference.Store.Reading;
using Inference.Testing;

namespace Inference.Ingest.Hubble.Tests.Relay;

/// <summary>Runs the real relay follower into a real DuckDB file and reads back what it stored.</summary>
internal static class RelayTestRun
{
    public const string Source = "hubble-relay:test";

    /// <summary>Relay options for a fast test: stop after 3 s without a flow (room for a cold start on a loaded machine), retry quickly, never run longer than 60 s.</summary>
    public static RelayOptions Options(string address, TimeSpan? idle = null) => new()
    {
        Address = address,
        IdleTimeout = idle ?? TimeSpan.FromSeconds(3),
        Duration = TimeSpan.FromSeconds(60),
        InitialBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<(IngestSummary Summary, CapturingLogger Log)> FollowAsync(string db, RelayOptions relay, string source = Source)
    {
        var log = new CapturingLogger();
        using var store = InferenceStore.Open(db);
        var options = new IngestOptions { Source = source, SourceKind = "hubble-relay", Address = relay.Address };
        var summary = await HubbleIngestRunner.FollowRelayAsync(store, relay, options, log, TimeProvider.System, CancellationToken.None);
        return (summary, log);
    }

    public static IReadOnlyList<EdgeRecord> Edges(string db)
    {
        using var store = InferenceStore.Open(db, new StoreOptions { ReadOnly = true });
        return store.Reads.Edges();
    }

    public static StoreStatus Status(string db)
    {
        using var store = InferenceStore.Open(db, new StoreOptions { ReadOnly = true });
        return store.Reads.Status();
    }

    /// <summary>An edge as a comparable line: ends, protocol, port, connections and verdict counts.</summary>
    public static string Line(EdgeRecord e) =>
        $"{e.Edge.Source} -> {e.Edge.Destination} {e.Edge.Protocol}/{e.Edge.Port} x{e.Connections} " +
        string.Join(',', e.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")) + " " +
        string.Join(',', e.DropReasons.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));

    public static IReadOnlyList<string> Lines(string db) => [.. Edges(db).Select(Line)];
}
