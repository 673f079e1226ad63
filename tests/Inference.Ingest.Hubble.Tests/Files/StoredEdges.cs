using Inference.Store;

namespace Inference.Ingest.Hubble.Tests.Files;

/// <summary>The stored edges as lines to compare: what importing the same flows once, again or in parts must agree on.</summary>
internal static class StoredEdges
{
    /// <summary>Each edge with its connection count and verdicts.</summary>
    public static IReadOnlyList<string> Counts(InferenceStore store) => [.. store.Reads.Edges().Select(e => $"{e.Edge} x{e.Connections} {Verdicts(e)}")];

    /// <summary>The same, with each edge's first and last seen time.</summary>
    public static IReadOnlyList<string> CountsAndTimes(InferenceStore store) =>
        [.. store.Reads.Edges().Select(e => $"{e.Edge} x{e.Connections} {e.FirstSeen:O} {e.LastSeen:O} {Verdicts(e)}")];

    private static string Verdicts(Inference.Store.Reading.EdgeRecord e) =>
        string.Join(',', e.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));
}
