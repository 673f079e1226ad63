using Inference.Core.Diff.Ends;
using Inference.Core.Evaluation;

namespace Inference.Core.Diff.Sections;

/// <summary>Observed legitimate connections the deployed set denies, with the policies isolating each denying end.</summary>
internal static class WouldBreakFinder
{
    public static IReadOnlyList<BreakItem> Find(IEnumerable<EdgeOutcome> outcomes) =>
    [
        .. outcomes.Where(o => o.Legitimate && o.PairsDenied > 0)
            .Select(o => new BreakItem(Connection(o), Denials(o), WorkloadEnds.Describe(o.Source), WorkloadEnds.Describe(o.Destination),
                o.PairsDenied, o.PairsTried, Notes(o)))
            // the biggest breakage first; ties by edge, so the order never depends on input order
            .OrderByDescending(b => b.Connection.Connections).ThenBy(b => b.Connection.Edge),
    ];

    public static ConnectionRef Connection(EdgeOutcome o) => new(o.Edge.Edge, o.Edge.Connections, o.Edge.LastSeen, o.Edge.Verdicts);

    public static IReadOnlyList<DirectionDenial> Denials(EdgeOutcome o)
    {
        var result = new List<DirectionDenial>();
        if (!o.Result.Egress.Allowed)
        {
            result.Add(new DirectionDenial(PolicyDirection.Egress, WorkloadEnds.Describe(o.Source), o.Result.Egress.IsolatedBy, o.Result.Egress.DeniedBy));
        }

        if (!o.Result.Ingress.Allowed)
        {
            result.Add(new DirectionDenial(PolicyDirection.Ingress, WorkloadEnds.Describe(o.Destination), o.Result.Ingress.IsolatedBy, o.Result.Ingress.DeniedBy));
        }

        return result;
    }

    private static IReadOnlyList<string> Notes(EdgeOutcome o)
    {
        var notes = new List<string>(o.Notes);
        if (o.PairsDenied < o.PairsTried)
        {
            notes.Add($"denied for {o.PairsDenied} of {o.PairsTried} pod pairs seen on this edge (pods with different labels decide differently)");
        }

        notes.AddRange(o.Result.Notes);
        return notes;
    }
}
