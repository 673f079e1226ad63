using Inference.Core.Evaluation;
using Inference.Core.Evaluation.Compiled;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Diff.Rules;

/// <summary>
/// One deployed rule with the evaluator's own matching code: does its policy select a pod, does its peer part admit
/// an end, do its ports admit a (protocol, port) at a destination. Unlike the evaluator, which stops at the first
/// allowing rule, the diff asks every rule (a connection uses each rule that matches it).
/// </summary>
internal sealed class DeployedRule
{
    private readonly KubernetesCompiled? _k8s;
    private readonly NetworkPolicyRule? _kRule;
    private readonly CiliumCompiled? _cilium;
    private readonly CiliumCompiled.CompiledRule? _cRule;
    private readonly bool _ipBlockMatchesPods;

    private DeployedRule(RuleRef reference, PolicyBase policy, int line, bool inEffect, bool ipBlockMatchesPods)
    {
        Ref = reference;
        Policy = policy;
        Location = new SourceLocation(policy.Location.File, line > 0 ? line : policy.Location.Line);
        InEffect = inEffect;
        _ipBlockMatchesPods = ipBlockMatchesPods;
    }

    public DeployedRule(KubernetesCompiled policy, NetworkPolicyRule rule, PolicyDirection direction, bool inEffect, bool ipBlockMatchesPods)
        : this(new RuleRef(policy.Ref, direction, rule.Index), policy.Policy, rule.Line, inEffect, ipBlockMatchesPods)
    {
        _k8s = policy;
        _kRule = rule;
        Text = RuleText.Kubernetes(rule, direction);
        Allows = RuleText.KubernetesBreadth(rule, direction, policy.Namespace);
        WideAddresses = RuleText.WideAddresses(rule);
    }

    public DeployedRule(CiliumCompiled spec, CiliumCompiled.CompiledRule rule, CiliumNetworkPolicy policy, PolicyDirection direction, bool deny)
        : this(new RuleRef(spec.Ref, direction, rule.Rule.Index, spec.Spec.SpecIndex, deny), policy, rule.Rule.Line, true, false)
    {
        _cilium = spec;
        _cRule = rule;
        Text = RuleText.Cilium(rule.Rule, direction);
        Allows = RuleText.CiliumBreadth(rule.Rule, direction);
        WideAddresses = RuleText.WideAddresses(rule.Rule);
    }

    public RuleRef Ref { get; }
    public PolicyBase Policy { get; }
    public SourceLocation Location { get; }

    /// <summary>False when the policy's policyTypes leave this direction out: the rule is ignored.</summary>
    public bool InEffect { get; }

    public PolicyDirection Direction => Ref.Direction;
    public bool IsDeny => Ref.IsDeny;
    public string Text { get; } = "";

    /// <summary>The wide parts of the rule as written (all peers, any namespace, all ports, a whole CIDR).</summary>
    public IReadOnlyList<string> Allows { get; } = [];

    /// <summary>Admits address ranges no window can have observed in full: over-broad even when every observed address was used.</summary>
    public bool WideAddresses { get; }

    /// <summary>A Cilium rule with neither peers nor ports (<c>{}</c>) allows nothing.</summary>
    public bool MatchesNothing => _cRule is { } r && !r.Rule.NamesPeers && r.Rule.ToPorts is not { Count: > 0 };

    public bool Selects(PodEndpoint pod) => _k8s?.Selects(pod) ?? _cilium!.Selects(pod);

    public bool PeerMatches(ConnectionEnd peer, PodEndpoint subject)
    {
        if (_kRule is { } rule)
        {
            if (rule.AllPeers)
            {
                return true;
            }

            foreach (var p in rule.Peers!)
            {
                if (KubernetesCompiled.PeerMatches(p, _k8s!.Namespace, peer, _ipBlockMatchesPods))
                {
                    return true;
                }
            }

            return false;
        }

        return _cRule!.PeerMatches(peer, subject, Direction == PolicyDirection.Egress);
    }

    public bool PortMatches(L4Protocol protocol, int port, ConnectionEnd destination)
    {
        if (_kRule is { } rule)
        {
            return rule.AllPorts || PortMatching.Kubernetes(rule.Ports!, protocol, port, destination);
        }

        return _cRule!.PortMatches(protocol, port, destination, null) != L7Match.NoMatch;
    }

    /// <summary>The rule admits <paramref name="peer"/> talking to/from <paramref name="subject"/> on the probe's port.</summary>
    public bool Matches(ConnectionEnd subject, ConnectionEnd peer, L4Protocol protocol, int port)
    {
        var destination = Direction == PolicyDirection.Ingress ? subject : peer;
        return InEffect && PeerMatches(peer, subject.Pod!) && PortMatches(protocol, port, destination);
    }
}
