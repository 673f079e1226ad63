namespace Inference.Core.Inference;

/// <summary>What the suggestion is written as.</summary>
public enum SuggestFormat : byte
{
    /// <summary><c>networking.k8s.io/v1</c> NetworkPolicy.</summary>
    Kubernetes,

    /// <summary><c>cilium.io/v2</c> CiliumNetworkPolicy (FQDNs, entities, ICMP, L7).</summary>
    Cilium,

    /// <summary>The Kubernetes suggestion as Calico <c>StagedKubernetesNetworkPolicy</c>: recorded, not enforced.</summary>
    CalicoStaged,
}

public sealed record SuggestOptions
{
    public SuggestFormat Format { get; init; } = SuggestFormat.Kubernetes;

    /// <summary>HTTP method + path rules where HTTP records exist (Cilium format only).</summary>
    public bool L7 { get; init; }

    /// <summary>Merge runs of consecutive observed ports into <c>endPort</c> ranges (never wider than what was seen).</summary>
    public bool PortRanges { get; init; }

    /// <summary>Namespaces to write policies for (empty: every namespace a workload was seen in).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>True for the formats whose policies are Kubernetes NetworkPolicy objects.</summary>
    public bool IsKubernetes => Format is SuggestFormat.Kubernetes or SuggestFormat.CalicoStaged;

    public static string FormatName(SuggestFormat format) => format switch
    {
        SuggestFormat.Cilium => "cilium",
        SuggestFormat.CalicoStaged => "calico-staged",
        _ => "kubernetes",
    };
}
