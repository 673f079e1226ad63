using System.Globalization;
using Inference.Cli.Output;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary>The dead-letter part of `inference status`: per Kafka source and topic how many messages could not be read, and the latest reasons.</summary>
internal static class StatusDeadLetters
{
    /// <summary>The <c>deadLetters</c> array of <c>status -o json</c>.</summary>
    public static IReadOnlyList<DeadLettersJson> Json(IReadOnlyList<DeadLetterSummary> summaries) =>
        [.. summaries.Select(s => new DeadLettersJson(s.Source, s.Topic, s.Count,
            [.. s.Latest.Select(d => new DeadLetterJson(d.Partition, d.Offset, d.Line, d.Reason, d.ObservedAt))]))];

    public static async Task WriteAsync(TextWriter writer, IReadOnlyList<DeadLetterSummary> summaries, CancellationToken cancellationToken)
    {
        if (summaries.Count == 0)
        {
            return;
        }

        var table = Tables.New("SOURCE", "DEAD LETTERS", "AT (TOPIC/PARTITION/OFFSET:LINE)", "REASON");
        foreach (var s in summaries)
        {
            var first = true;
            foreach (var d in s.Latest)
            {
                Tables.AddRow(table, first ? s.Source : "", first ? s.Count.ToString("N0", CultureInfo.InvariantCulture) : "",
                    string.Create(CultureInfo.InvariantCulture, $"{d.Topic}/{d.Partition}/{d.Offset}:{d.Line}"), d.Reason);
                first = false;
            }
        }

        await writer.WriteLineAsync("Dead letters (malformed messages, latest first):".AsMemory(), cancellationToken);
        Tables.Write(writer, table);
    }
}

/// <summary>One source and topic's dead letters in <c>status -o json</c>: how many, and the latest (newest first).</summary>
internal sealed record DeadLettersJson(string Source, string Topic, long Count, IReadOnlyList<DeadLetterJson> Latest);

/// <summary>Where a dead letter is (partition, offset, line of a multi-record message) and why it could not be read.</summary>
internal sealed record DeadLetterJson(int Partition, long Offset, int Line, string Reason, DateTimeOffset ObservedAt);
