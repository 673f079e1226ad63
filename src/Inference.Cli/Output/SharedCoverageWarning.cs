using System.Globalization;
using Inference.Core.Activity;

namespace Inference.Cli.Output;

/// <summary>The warning for time a run's flows fall in that an earlier source already held (ingest on stderr, serve in its log).</summary>
internal static class SharedCoverageWarning
{
    /// <summary>
    /// Says where a run's flows fall in time an earlier source covered from the same nodes: the same traffic there is
    /// counted twice, and only the user knows whether it is the same (another filter, another view of one capture).
    /// </summary>
    /// <param name="inputName">The file imported, or null for a relay run.</param>
    /// <param name="withSince">Name the <c>--since</c> a continuing run starts with (serve has none: its relays follow from now).</param>
    public static string Text(string? inputName, SharedCoverage shared, TimeSpan remembered, bool withSince = true)
    {
        var nodes = shared.Nodes.Count <= 3 ? string.Join(", ", shared.Nodes) : $"{string.Join(", ", shared.Nodes.Take(3))} and {shared.Nodes.Count - 3} more";
        var (what, remedy) = inputName is null
            ? ("the relay sent", withSince ? $" A relay ingest that continues it starts with --since {Utc(shared.SourceLast)}." : "")
            : (inputName + " holds", $" An import recognises only the last {remembered.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} minutes of an earlier one; an export that continues it starts with hubble observe --since {Utc(shared.SourceLast)}.");
        return $"{what} flows from {Utc(shared.From)} to {Utc(shared.To)} that {shared.Source} already holds from the same nodes ({nodes}): "
            + $"if both are the same traffic (not differently filtered views), the connections of that time are now counted twice.{remedy}";
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
