namespace Inference.Ingest.Calico.Records;

/// <summary>
/// Splits a Kafka message into records (one per message, or several newline-separated) and reads each as a Felix
/// record or a Goldmane flow. Bad lines are reported with their line number; good lines of the same message still count.
/// A message that is one pretty-printed object (someone pasted a record into kcat) is read as that one record.
/// </summary>
internal static class RecordReader
{
    public static void Read(ReadOnlySpan<byte> message, List<CalicoFlow> flows, List<(int Line, string Reason)> errors)
    {
        var trimmed = message.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            errors.Add((1, "empty message"));
            return;
        }

        if (trimmed.IndexOf((byte)'\n') < 0)
        {
            ReadOne(trimmed, 1, flows, errors);
            return;
        }

        var flowsBefore = flows.Count;
        var errorsBefore = errors.Count;
        var line = 0;
        var rest = message;
        while (!rest.IsEmpty)
        {
            line++;
            var newline = rest.IndexOf((byte)'\n');
            var current = (newline < 0 ? rest : rest[..newline]).Trim(" \t\r"u8);
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            if (!current.IsEmpty)
            {
                ReadOne(current, line, flows, errors);
            }
        }

        if (flows.Count == flowsBefore)
        {
            var whole = new List<CalicoFlow>(1);
            var wholeErrors = new List<(int, string)>(1);
            ReadOne(trimmed, 1, whole, wholeErrors);
            if (wholeErrors.Count == 0)
            {
                errors.RemoveRange(errorsBefore, errors.Count - errorsBefore);
                flows.AddRange(whole);
            }
        }
    }

    private static void ReadOne(ReadOnlySpan<byte> record, int line, List<CalicoFlow> flows, List<(int Line, string Reason)> errors)
    {
        try
        {
            flows.Add(FelixRecordParser.Parse(record) ?? GoldmaneFlowParser.Parse(record));
        }
        catch (RecordException ex)
        {
            errors.Add((line, ex.Message));
        }
    }
}
