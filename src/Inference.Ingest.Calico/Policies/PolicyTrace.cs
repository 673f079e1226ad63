namespace Inference.Ingest.Calico.Policies;

/// <summary>
/// The policies one direction of a flow traversed, sorted by policy index. The last hit decides: <c>pass</c> goes on to the
/// next tier and, after the last, to the namespace profile (allow), so a trace ending in <c>pass</c> allows.
/// </summary>
public sealed class PolicyTrace
{
    public static readonly PolicyTrace Empty = new([]);

    public PolicyTrace(IEnumerable<PolicyHit> hits)
    {
        // entries arrive unordered in the array; the index is the evaluation order
        var sorted = hits.OrderBy(h => h.PolicyIndex).ToArray();
        Hits = sorted;
        Decider = sorted.Length == 0 ? null : sorted[^1];
        Action = Decider switch
        {
            null => PolicyAction.Unspecified,
            { Action: PolicyAction.Pass } => PolicyAction.Allow,
            { } d => d.Action,
        };
        Text = string.Join(';', Hits.Select(h => h.ToString()));
    }

    public IReadOnlyList<PolicyHit> Hits { get; }

    /// <summary>The hit that decided, null when the trace is empty (policies not included in the record).</summary>
    public PolicyHit? Decider { get; }

    /// <summary>Allow, Deny, or Unspecified when nothing is known.</summary>
    public PolicyAction Action { get; }

    /// <summary>The canonical rendering (modern strings joined with ';'): the trace's identity when stored.</summary>
    public string Text { get; }
}
