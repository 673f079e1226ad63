namespace Inference.Core.Policies;

public enum PolicyKind : byte
{
    NetworkPolicy,
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
}

/// <summary>Names a policy: kind, namespace (null for cluster-wide kinds) and name. Orders deterministically.</summary>
public sealed record PolicyRef(PolicyKind Kind, string? Namespace, string Name) : IComparable<PolicyRef>
{
    public int CompareTo(PolicyRef? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Kind.CompareTo(other.Kind);
        if (c == 0)
        {
            c = string.CompareOrdinal(Namespace ?? "", other.Namespace ?? "");
        }

        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }

    public override string ToString() => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";

    /// <summary><c>namespace/name</c>, or just the name for cluster-wide policies.</summary>
    public string DisplayName => Namespace is null ? Name : $"{Namespace}/{Name}";
}

/// <summary>Where a policy came from: the display path the caller gave and a 1-based line.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Base of every loaded policy.</summary>
public abstract class PolicyBase(PolicyRef reference, SourceLocation location)
{
    public PolicyRef Ref { get; } = reference;
    public SourceLocation Location { get; } = location;
}
