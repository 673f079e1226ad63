namespace Inference.Core.Evaluation;

public sealed record EvaluatorOptions
{
    /// <summary>
    /// When true, Kubernetes ipBlock peers also match pod and node addresses (Calico and the upstream e2e expectations);
    /// when false only cluster-external addresses (Cilium, Terway). Semantics 3.9.
    /// </summary>
    public bool IpBlockMatchesPodIps { get; init; }

    public static EvaluatorOptions Default { get; } = new();
}
