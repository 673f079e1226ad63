using Inference.Ingest.Calico.Policies;

namespace Inference.Ingest.Calico.Tests.Parsing;

/// <summary>The three generations of Felix policy-hit strings (verbatim from shared/reference/calico-policy-hit-strings.md).</summary>
public sealed class PolicyHitParserTests
{
    [Theory]
    // A. 4-field (≈2019-2020 Enterprise): no rule index
    [InlineData("0|__PROFILE__|__PROFILE__.kns.kube-system|allow", PolicyKind.Profile, "", "__PROFILE__", "kns.kube-system", PolicyAction.Allow, 0, null)]
    [InlineData("0|default|policy-demo/default.access-nginx|allow", PolicyKind.CalicoNetworkPolicy, "policy-demo", "default", "access-nginx", PolicyAction.Allow, 0, null)]
    [InlineData("4|tierName|namespaceName/tierName.staged:policyName|deny", PolicyKind.StagedNetworkPolicy, "namespaceName", "tierName", "tierName.policyName", PolicyAction.Deny, 4, null)]
    // B. legacy 5-field
    [InlineData("0|calico-system|kube-system/calico-system.cluster-dns|pass|1", PolicyKind.CalicoNetworkPolicy, "kube-system", "calico-system", "calico-system.cluster-dns", PolicyAction.Pass, 0, 1)]
    [InlineData("1|__PROFILE__|__PROFILE__.kns.kube-system|allow|0", PolicyKind.Profile, "", "__PROFILE__", "kns.kube-system", PolicyAction.Allow, 1, 0)]
    [InlineData("1|tier2|ns2/staged:tier1.policy1|deny|1", PolicyKind.StagedNetworkPolicy, "ns2", "tier2", "tier1.policy1", PolicyAction.Deny, 1, 1)]
    [InlineData("0|namespace-isolation|curl-ns/namespace-isolation.staged:curl-ns-vfzgh|allow|3", PolicyKind.StagedNetworkPolicy, "curl-ns", "namespace-isolation", "namespace-isolation.curl-ns-vfzgh", PolicyAction.Allow, 0, 3)]
    [InlineData("0|default|default.allow-ssh-maintenance|allow|0", PolicyKind.GlobalNetworkPolicy, "", "default", "allow-ssh-maintenance", PolicyAction.Allow, 0, 0)]
    [InlineData("4|tierName|tierName.staged:policyName|allow|1", PolicyKind.StagedGlobalNetworkPolicy, "", "tierName", "tierName.policyName", PolicyAction.Allow, 4, 1)]
    [InlineData("2|default|shop/knp.default.allow-web|allow|2", PolicyKind.KubernetesNetworkPolicy, "shop", "default", "allow-web", PolicyAction.Allow, 2, 2)]
    [InlineData("2|default|shop/staged:knp.default.allow-web|deny|0", PolicyKind.StagedKubernetesNetworkPolicy, "shop", "default", "allow-web", PolicyAction.Deny, 2, 0)]
    // C. modern (v3.32+): explicit kind
    [InlineData("0|default|gnp:default.ep1-1-allow-all|allow|0", PolicyKind.GlobalNetworkPolicy, "", "default", "ep1-1-allow-all", PolicyAction.Allow, 0, 0)]
    [InlineData("0|tier2|np:default/tier2.np2-4|deny|0", PolicyKind.CalicoNetworkPolicy, "default", "tier2", "tier2.np2-4", PolicyAction.Deny, 0, 0)]
    [InlineData("0|tier2|snp:default/tier2.np2-3|deny|1", PolicyKind.StagedNetworkPolicy, "default", "tier2", "tier2.np2-3", PolicyAction.Deny, 0, 1)]
    [InlineData("1|__PROFILE__|pro:kns.default|allow|0", PolicyKind.Profile, "", "__PROFILE__", "kns.default", PolicyAction.Allow, 1, 0)]
    [InlineData("4|default|knp:namespaceName/policyName|allow|2", PolicyKind.KubernetesNetworkPolicy, "namespaceName", "default", "policyName", PolicyAction.Allow, 4, 2)]
    [InlineData("4|default|sknp:namespaceName/policyName|deny|10", PolicyKind.StagedKubernetesNetworkPolicy, "namespaceName", "default", "policyName", PolicyAction.Deny, 4, 10)]
    [InlineData("4|tierName|sgnp:tierName.policyName|allow|2", PolicyKind.StagedGlobalNetworkPolicy, "", "tierName", "tierName.policyName", PolicyAction.Allow, 4, 2)]
    [InlineData("4|__PROFILE__|pro:kns.namespaceName|allow|-", PolicyKind.Profile, "", "__PROFILE__", "kns.namespaceName", PolicyAction.Allow, 4, null)]
    public void Parses_every_generation(string text, PolicyKind kind, string ns, string tier, string name, PolicyAction action, int index, int? rule)
    {
        Assert.True(PolicyHitParser.TryParse(text, out var hit, out var error), error);
        Assert.Equal(new PolicyHit(kind, ns, tier, name, action, index, rule), hit);
    }

    [Theory]
    [InlineData("1|tier2|snp:default/tier2.np2-1|deny|-1", PolicyKind.StagedNetworkPolicy, "default", "tier2.np2-1", PolicyAction.Deny)]
    [InlineData("1|tier2|snp:default/tier2.np2-1|pass|-1", PolicyKind.StagedNetworkPolicy, "default", "tier2.np2-1", PolicyAction.Pass)]
    [InlineData("0|security|shop/security.staged:lockdown|deny|-1", PolicyKind.StagedNetworkPolicy, "shop", "security.lockdown", PolicyAction.Deny)]
    public void Rule_index_minus_one_is_end_of_tier_with_its_trigger(string text, PolicyKind triggerKind, string ns, string name, PolicyAction action)
    {
        Assert.True(PolicyHitParser.TryParse(text, out var hit, out var error), error);
        Assert.Equal(PolicyKind.EndOfTier, hit.Kind);
        Assert.Equal(action, hit.Action);
        Assert.Equal(-1, hit.RuleIndex);
        Assert.NotNull(hit.Trigger);
        Assert.Equal((triggerKind, ns, name), (hit.Trigger!.Kind, hit.Trigger.Namespace, hit.Trigger.Name));
        Assert.True(hit.IsStaged);
    }

    [Fact]
    public void Old_and_new_names_of_one_default_tier_policy_meet()
    {
        PolicyHitParser.TryParse("0|default|policy-demo/default.access-nginx|allow|2", out var legacy, out _);
        PolicyHitParser.TryParse("0|default|np:policy-demo/access-nginx|allow|2", out var modern, out _);
        Assert.Equal(legacy, modern);
        Assert.Equal("0|default|np:policy-demo/access-nginx|allow|2", legacy.ToString());
    }

    [Fact]
    public void Kindless_end_of_tier_and_obfuscated_entries_parse()
    {
        Assert.True(PolicyHitParser.TryParse("2|tier1|eot:__NO_MATCH__|deny|-1", out var eot, out _));
        Assert.Equal((PolicyKind.EndOfTier, (PolicyHit?)null), (eot.Kind, eot.Trigger));
        Assert.True(PolicyHitParser.TryParse("3|*|*|allow|*", out var hidden, out _));
        Assert.Equal((PolicyKind.Unknown, PolicyAction.Allow, (int?)null), (hidden.Kind, hidden.Action, hidden.RuleIndex));
    }

    [Theory]
    [InlineData("0|default|broken")]
    [InlineData("x|default|np:a/b|allow|0")]
    [InlineData("0|default|np:a/b|maybe|0")]
    [InlineData("0|default|np:a/b|allow|one")]
    public void Malformed_strings_are_rejected_with_a_reason(string text)
    {
        Assert.False(PolicyHitParser.TryParse(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trace_is_decided_by_its_last_hit_and_pass_falls_through_to_allow()
    {
        PolicyHitParser.TryParse("1|tier2|ns2/staged:tier1.policy1|deny|1", out var deny, out _);
        PolicyHitParser.TryParse("0|tier1|ns1/tier1.policy1|pass|3", out var pass, out _);
        var trace = new PolicyTrace([deny, pass]); // unordered in the array, as Felix writes them
        Assert.Equal(PolicyAction.Deny, trace.Action);
        Assert.Same(deny, trace.Decider);
        Assert.Equal(PolicyAction.Allow, new PolicyTrace([pass]).Action);
    }
}
