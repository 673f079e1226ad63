namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Splits a Kafka message into records (one per message, or several newline-separated) and reads each as a Felix
/// record or a Goldmane flow. Bad lines are reported with their line number; good lines of the same message still count.
/// </summary>
internal static class RecordReader
{
    public static void Read(ReadOnlySpan<byte> message, List<CalicoFlow> flows, List<(int Line, string Reason)> errors)
    {
        var line = 0;
        var sawRecord = false;
        while (message.Length > 0 || line == 0)
        {
            line++;
            var newline = message.IndexOf((byte)'\n');
            var current = newline < 0 ? message : message[..newline];
            message = newline < 0 ? [] : message[(newline + 1)..];
            current = current.Trim(" \t\r"u8);
            if (current.IsEmpty)
            {
                if (message.IsEmpty)
                {
                    break;
                }

                continue;
            }

            sawRecord = true;
            try
            {
                flows.Add(FelixRecordParser.Parse(current) ?? GoldmaneFlowParser.Parse(current));
            }
            catch (RecordException ex)
            {
                errors.Add((line, ex.Message));
            }
        }

        if (!sawRecord)
        {
            errors.Add((1, "empty message"));
        }
    }
}
