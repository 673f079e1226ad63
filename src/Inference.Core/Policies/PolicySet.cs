namespace Inference.Core.Policies;

/// <summary>
/// The policies in force: at most one per kind/namespace/name (a later one replaces an earlier one, as a second
/// <c>kubectl apply</c> would). Ordered deterministically, so results never depend on load order.
/// </summary>
public sealed class PolicySet
{
    private PolicySet(IReadOnlyList<PolicyBase> policies, IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        Policies = policies;
        Diagnostics = diagnostics;
    }

    public static PolicySet Empty { get; } = new([], []);

    public IReadOnlyList<PolicyBase> Policies { get; }

    /// <summary>Warnings about replaced duplicates.</summary>
    public IReadOnlyList<PolicyDiagnostic> Diagnostics { get; }

    public static PolicySet Create(IEnumerable<PolicyBase> policies)
    {
        var byRef = new Dictionary<PolicyRef, PolicyBase>();
        var diagnostics = new List<PolicyDiagnostic>();
        foreach (var p in policies)
        {
            if (byRef.TryGetValue(p.Ref, out var earlier))
            {
                diagnostics.Add(new PolicyDiagnostic(DiagnosticSeverity.Warning, p.Location.File, p.Location.Line, p.Ref.ToString(),
                    $"replaces the policy of the same name from {earlier.Location}"));
            }

            byRef[p.Ref] = p;
        }

        return new PolicySet([.. byRef.Values.OrderBy(p => p.Ref)], diagnostics);
    }
}
