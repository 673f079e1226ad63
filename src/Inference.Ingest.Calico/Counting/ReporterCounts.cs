using Inference.Core.Flows;
using Inference.Ingest.Calico.Records;

namespace Inference.Ingest.Calico.Counting;

/// <summary>
/// The connections one edge had in one time bucket, per reporter and verdict. Both reporters describe the same
/// connections, so the edge counts the larger reporter's total, never the sum; where they disagree on the verdict the
/// one that would break the connection wins (a src allow with a dst deny is a drop), as Hubble's path does.
/// </summary>
internal sealed class ReporterCounts
{
    public const int Reporters = 3;
    public const int Verdicts = 3;

    public ReporterCounts()
    {
    }

    public ReporterCounts(long[] values)
    {
        Values = values;
        Stored = true;
    }

    /// <summary>The store has a row for these counts (loaded from it, or handed to the writer in an earlier batch).</summary>
    /// <remarks>A batch that fails to store ends the run, and the next run reloads the states: this never lies for long.</remarks>
    public bool Stored { get; set; }

    /// <summary>[reporter * 3 + verdict]: forwarded, audit, dropped for src, dst, fwd.</summary>
    public long[] Values { get; } = new long[Reporters * Verdicts];

    public void Add(Reporter reporter, Verdict verdict, long count) => Values[((int)reporter * Verdicts) + Index(verdict)] += count;

    /// <summary>The edge's count per verdict (forwarded, audit, dropped) from what the reporters said.</summary>
    public (long Forwarded, long Audit, long Dropped) Combined()
    {
        long total = 0, dropped = 0, audit = 0;
        for (var r = 0; r < Reporters; r++)
        {
            var f = Values[r * Verdicts];
            var a = Values[(r * Verdicts) + 1];
            var d = Values[(r * Verdicts) + 2];
            total = Math.Max(total, f + a + d);
            dropped = Math.Max(dropped, d);
            audit = Math.Max(audit, a);
        }

        dropped = Math.Min(dropped, total);
        audit = Math.Min(audit, total - dropped);
        return (total - dropped - audit, audit, dropped);
    }

    public static int Index(Verdict verdict) => verdict switch
    {
        Verdict.Audit => 1,
        Verdict.Dropped => 2,
        _ => 0,
    };
}
