using Inference.Core.Evaluation;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Rules;

/// <summary>Whether a policy selects a pod at all (for any direction), as the evaluator decides it.</summary>
internal static class PolicySelection
{
    public static bool Selects(PolicyBase policy, PodEndpoint pod) => policy switch
    {
        KubernetesNetworkPolicy k => k.Namespace == pod.Namespace && k.PodSelector.Matches(pod.Labels),
        CiliumNetworkPolicy c => c.Specs.Any(s => s.EndpointSelector is { } sel && (c.IsClusterwide || c.Ref.Namespace == pod.Namespace)
            && sel.Selector.Matches(pod.CiliumIdentityLabels)),
        _ => false,
    };
}
