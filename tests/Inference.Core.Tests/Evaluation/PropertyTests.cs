using CsCheck;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Policies;
using static Inference.Core.Tests.Evaluation.E2eModel;

namespace Inference.Core.Tests.Evaluation;

/// <summary>Random NetworkPolicies over the e2e model: monotonicity of allow rules, order independence, index = naive scan.</summary>
public sealed class PropertyTests
{
    private static readonly ClusterSnapshot Cluster = Snapshot();
    private static readonly (L4Protocol Protocol, int Port)[] Ports = [(L4Protocol.Tcp, 80), (L4Protocol.Tcp, 81), (L4Protocol.Udp, 80), (L4Protocol.Sctp, 81)];

    private static readonly Gen<LabelSelector> PodSelectorGen = Gen.OneOf(
        LabelSelector.Everything,
        new LabelSelector(new Dictionary<string, string> { ["pod"] = "a" }),
        new LabelSelector(new Dictionary<string, string> { ["pod"] = "b" }),
        new LabelSelector(null, [new LabelSelectorRequirement("pod", SelectorOperator.In, ["a", "c"])]),
        new LabelSelector(null, [new LabelSelectorRequirement("pod", SelectorOperator.NotIn, ["c"])]));

    private static readonly Gen<LabelSelector> NsSelectorGen = Gen.OneOf(
        LabelSelector.Everything,
        new LabelSelector(new Dictionary<string, string> { ["ns"] = "y" }),
        new LabelSelector(null, [new LabelSelectorRequirement("kubernetes.io/metadata.name", SelectorOperator.NotIn, ["x"])]));

    private static readonly Gen<NetworkPolicyPeer> PeerGen = Gen.OneOf(
        PodSelectorGen.Select(p => new NetworkPolicyPeer(p, null, null)),
        NsSelectorGen.Select(n => new NetworkPolicyPeer(null, n, null)),
        Gen.Select(PodSelectorGen, NsSelectorGen, (p, n) => new NetworkPolicyPeer(p, n, null)),
        Gen.OneOf("10.0.2.0/24", "10.0.1.1/32", "0.0.0.0/0").Select(c =>
        {
            IpPrefix.TryParse(c, out var prefix);
            IpPrefix.TryParse("10.0.2.2/32", out var except);
            return new NetworkPolicyPeer(null, null, new IpBlock(c, prefix, c == "10.0.2.0/24" ? [except] : []));
        }));

    private static readonly Gen<NetworkPolicyPort> PortGen = Gen.OneOf(
        new NetworkPolicyPort(L4Protocol.Tcp, 80, null, null),
        new NetworkPolicyPort(L4Protocol.Udp, null, null, null),
        new NetworkPolicyPort(L4Protocol.Tcp, null, "serve-81-tcp", null),
        new NetworkPolicyPort(L4Protocol.Sctp, 80, null, 81),
        new NetworkPolicyPort(L4Protocol.Tcp, 80, null, 81));

    private static readonly Gen<List<NetworkPolicyPeer>?> PeersGen = Gen.Frequency((1, Gen.Const((List<NetworkPolicyPeer>?)null)), (3, PeerGen.List[1, 2].Select(l => (List<NetworkPolicyPeer>?)l)));
    private static readonly Gen<List<NetworkPolicyPort>?> PortsGen = Gen.Frequency((1, Gen.Const((List<NetworkPolicyPort>?)null)), (2, PortGen.List[1, 2].Select(l => (List<NetworkPolicyPort>?)l)));

    private static readonly Gen<NetworkPolicyRule> RuleGen = Gen.Select(PeersGen, PortsGen, (peers, ports) => new NetworkPolicyRule(0, 0, peers, ports));

    private static readonly Gen<List<NetworkPolicyRule>?> RulesGen = Gen.Frequency(
        (1, Gen.Const((List<NetworkPolicyRule>?)null)),
        (3, RuleGen.List[0, 2].Select(l => (List<NetworkPolicyRule>?)[.. l.Select((r, i) => r with { Index = i })])));

    private static readonly Gen<PolicyTypes?> TypesGen = Gen.OneOf<PolicyTypes?>(null, PolicyTypes.Ingress, PolicyTypes.Egress, PolicyTypes.Ingress | PolicyTypes.Egress);

    private static readonly Gen<KubernetesNetworkPolicy[]> PoliciesGen =
        Gen.Select(Gen.OneOf("x", "y", "z"), PodSelectorGen, TypesGen, RulesGen, RulesGen).Array[1, 5]
            .Select(a => a.Select((t, i) => new KubernetesNetworkPolicy(new PolicyRef(PolicyKind.NetworkPolicy, t.Item1, $"p{i}"), new SourceLocation("gen", i),
                t.Item2, t.Item3, t.Item4, t.Item5)).ToArray());

    private static bool[] Verdicts(PolicyEvaluator evaluator) =>
        [.. Reachability.All.SelectMany(f => Reachability.All.SelectMany(t => Ports.Select(p => Probe(evaluator, Cluster, f, t, p.Protocol, p.Port).Allowed)))];

    [Fact]
    public void Adding_an_allow_rule_never_removes_an_allowed_verdict()
    {
        Gen.Select(PoliciesGen, RuleGen, Gen.Int[0, 100], Gen.Bool).Sample((policies, rule, pick, ipBlockPods) =>
        {
            var options = new EvaluatorOptions { IpBlockMatchesPodIps = ipBlockPods };
            var before = Verdicts(new PolicyEvaluator(PolicySet.Create(policies), options));
            var target = policies[pick % policies.Length];
            // add the rule to a direction already in effect, so only rules change, not isolation
            var ingress = (target.EffectiveTypes & PolicyTypes.Ingress) != 0;
            var list = (ingress ? target.Ingress : target.Egress)?.ToList() ?? [];
            list.Add(rule with { Index = list.Count });
            var types = target.DeclaredTypes ?? (ingress ? null : target.EffectiveTypes);
            var changed = new KubernetesNetworkPolicy(target.Ref, target.Location, target.PodSelector, types,
                ingress ? list : target.Ingress, ingress ? target.Egress : list);
            Assert.Equal(target.EffectiveTypes, changed.EffectiveTypes);
            var after = Verdicts(new PolicyEvaluator(PolicySet.Create(policies.Select(p => p == target ? changed : p)), options));
            for (var i = 0; i < before.Length; i++)
            {
                Assert.True(!before[i] || after[i], "an allowed probe became denied");
            }
        }, iter: 150);
    }

    [Fact]
    public void Policy_order_never_matters_and_the_index_agrees_with_a_naive_scan()
    {
        Gen.Select(PoliciesGen, Gen.Int).Sample((policies, seed) =>
        {
            var shuffled = policies.OrderBy(_ => new Random(seed).Next()).Reverse().ToArray();
            var a = new PolicyEvaluator(PolicySet.Create(policies));
            var b = new PolicyEvaluator(PolicySet.Create(shuffled));
            var naive = new PolicyEvaluator(PolicySet.Create(shuffled), EvaluatorOptions.Default, indexed: false);
            foreach (var f in Reachability.All)
            {
                foreach (var t in Reachability.All)
                {
                    foreach (var (protocol, port) in Ports)
                    {
                        var expected = Probe(a, Cluster, f, t, protocol, port);
                        Assert.Equal(expected, Probe(b, Cluster, f, t, protocol, port), ResultComparer.Instance);
                        Assert.Equal(expected, Probe(naive, Cluster, f, t, protocol, port), ResultComparer.Instance);
                    }
                }
            }
        }, iter: 100);
    }
}
