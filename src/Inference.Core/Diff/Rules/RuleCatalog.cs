using Inference.Core.Evaluation;
using Inference.Core.Evaluation.Compiled;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Rules;

/// <summary>
/// Every rule of the deployed set in <see cref="PolicySet"/> order, and which rules apply to a pod in a direction
/// (cached per distinct pod identity, as the evaluator caches selection).
/// </summary>
internal sealed class RuleCatalog
{
    private readonly Dictionary<(string Identity, PolicyDirection Direction), DeployedRule[]> _bySubject = new();

    public RuleCatalog(PolicySet policies, EvaluatorOptions options)
    {
        var rules = new List<DeployedRule>();
        foreach (var policy in policies.Policies)
        {
            switch (policy)
            {
                case KubernetesNetworkPolicy k:
                {
                    var compiled = new KubernetesCompiled(k);
                    foreach (var r in k.Ingress ?? [])
                    {
                        rules.Add(new DeployedRule(compiled, r, PolicyDirection.Ingress, compiled.IsolatesIngress, options.IpBlockMatchesPodIps));
                    }

                    foreach (var r in k.Egress ?? [])
                    {
                        rules.Add(new DeployedRule(compiled, r, PolicyDirection.Egress, compiled.IsolatesEgress, options.IpBlockMatchesPodIps));
                    }

                    break;
                }

                case CiliumNetworkPolicy c:
                    foreach (var spec in c.Specs)
                    {
                        var compiled = new CiliumCompiled(c, spec);
                        rules.AddRange(compiled.Ingress.Select(r => new DeployedRule(compiled, r, c, PolicyDirection.Ingress, false)));
                        rules.AddRange(compiled.IngressDeny.Select(r => new DeployedRule(compiled, r, c, PolicyDirection.Ingress, true)));
                        rules.AddRange(compiled.Egress.Select(r => new DeployedRule(compiled, r, c, PolicyDirection.Egress, false)));
                        rules.AddRange(compiled.EgressDeny.Select(r => new DeployedRule(compiled, r, c, PolicyDirection.Egress, true)));
                    }

                    break;
            }
        }

        Rules = rules;
        Policies = policies.Policies;
    }

    public IReadOnlyList<DeployedRule> Rules { get; }
    public IReadOnlyList<PolicyBase> Policies { get; }

    /// <summary>The in-effect rules whose policy selects <paramref name="pod"/>, for one direction.</summary>
    public IReadOnlyList<DeployedRule> For(PodEndpoint pod, PolicyDirection direction)
    {
        var key = (pod.IdentityKey, direction);
        if (!_bySubject.TryGetValue(key, out var rules))
        {
            rules = [.. Rules.Where(r => r.Direction == direction && r.InEffect && r.Policy.Ref.Namespace is var ns
                && (ns is null || ns == pod.Namespace) && r.Selects(pod))];
            _bySubject[key] = rules;
        }

        return rules;
    }
}
