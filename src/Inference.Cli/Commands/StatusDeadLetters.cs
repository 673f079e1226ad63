using System.Globalization;
using Inference.Cli.Output;
using Inference.Store.Reading;

namespace Inference.Cli.Commands;

/// <summary>The dead-letter part of `inference status`: per Kafka source how many messages could not be read, and the latest reasons.</summary>
internal static class StatusDeadLetters
{
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
