using Inference.Core.Policies;

namespace Inference.Core.Evaluation;

public enum PolicyDirection : byte
{
    Ingress,
    Egress,
}

/// <summary>A rule as written: its policy, direction, position in the list (0-based) and, for Cilium, which spec and whether it is a deny rule.</summary>
public sealed record RuleRef(PolicyRef Policy, PolicyDirection Direction, int RuleIndex, int SpecIndex = 0, bool IsDeny = false)
{
    public override string ToString()
    {
        var list = Direction == PolicyDirection.Ingress ? "ingress" : "egress";
        if (IsDeny)
        {
            list += "Deny";
        }

        var spec = Policy.Kind == PolicyKind.NetworkPolicy ? "" : $"specs[{SpecIndex}].";
        return $"{Policy.DisplayName} {spec}{list}[{RuleIndex}]";
    }
}

public enum DirectionOutcome : byte
{
    /// <summary>This end is not a pod policies select (external, node, entity): nothing to decide here.</summary>
    NotApplicable,

    /// <summary>A pod no policy isolates in this direction.</summary>
    NotIsolated,

    /// <summary>Isolated, and a rule allows it.</summary>
    AllowedByRule,

    /// <summary>Traffic from the pod's own node, which ingress isolation never blocks.</summary>
    NodeLocal,

    /// <summary>A pod talking to itself, which it cannot block.</summary>
    Self,

    /// <summary>Isolated and no rule allows it.</summary>
    NotAllowed,

    /// <summary>A Cilium deny rule matched; deny takes precedence over every allow.</summary>
    DeniedByRule,
}

/// <summary>The decision for one direction: the source's egress or the destination's ingress.</summary>
public sealed record DirectionVerdict(
    PolicyDirection Direction,
    DirectionOutcome Outcome,
    RuleRef? AllowedBy,
    RuleRef? DeniedBy,
    IReadOnlyList<PolicyRef> IsolatedBy)
{
    public bool Allowed => Outcome is not (DirectionOutcome.NotAllowed or DirectionOutcome.DeniedByRule);
    public bool Isolated => IsolatedBy.Count > 0;
}

/// <summary>The verdict for a probe: allowed only when the source's egress and the destination's ingress both allow it.</summary>
public sealed record EvaluationResult(DirectionVerdict Egress, DirectionVerdict Ingress, IReadOnlyList<string> Notes)
{
    public bool Allowed => Egress.Allowed && Ingress.Allowed;
}
