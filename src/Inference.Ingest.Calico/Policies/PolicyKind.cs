namespace Inference.Ingest.Calico.Policies;

/// <summary>What decided a flow. Values are Goldmane's <c>PolicyKind</c> numbers, so both sources share one model.</summary>
public enum PolicyKind
{
    Unknown = 0,
    CalicoNetworkPolicy = 1,
    GlobalNetworkPolicy = 2,
    StagedNetworkPolicy = 3,
    StagedGlobalNetworkPolicy = 4,
    StagedKubernetesNetworkPolicy = 5,
    KubernetesNetworkPolicy = 6,
    Profile = 9,
    EndOfTier = 10,
    KubernetesClusterNetworkPolicy = 11,

    // not in Goldmane: older kinds the Enterprise parser still reads (kanp/kbanp)
    AdminNetworkPolicy = 100,
    BaselineAdminNetworkPolicy = 101,
}

/// <summary>A policy hit's action; values are Goldmane's <c>Action</c> numbers.</summary>
public enum PolicyAction
{
    Unspecified = 0,
    Allow = 1,
    Deny = 2,
    Pass = 3,
}

public static class PolicyNames
{
    /// <summary>The short kind of the modern (v3.32+) flow-log string, used as the canonical rendering.</summary>
    public static string ShortName(this PolicyKind kind) => kind switch
    {
        PolicyKind.CalicoNetworkPolicy => "np",
        PolicyKind.GlobalNetworkPolicy => "gnp",
        PolicyKind.StagedNetworkPolicy => "snp",
        PolicyKind.StagedGlobalNetworkPolicy => "sgnp",
        PolicyKind.StagedKubernetesNetworkPolicy => "sknp",
        PolicyKind.KubernetesNetworkPolicy => "knp",
        PolicyKind.KubernetesClusterNetworkPolicy => "kcnp",
        PolicyKind.Profile => "pro",
        PolicyKind.EndOfTier => "eot",
        PolicyKind.AdminNetworkPolicy => "kanp",
        PolicyKind.BaselineAdminNetworkPolicy => "kbanp",
        _ => "unknown",
    };

    public static bool TryParseShortName(string text, out PolicyKind kind)
    {
        kind = text switch
        {
            "np" => PolicyKind.CalicoNetworkPolicy,
            "gnp" => PolicyKind.GlobalNetworkPolicy,
            "snp" => PolicyKind.StagedNetworkPolicy,
            "sgnp" => PolicyKind.StagedGlobalNetworkPolicy,
            "sknp" => PolicyKind.StagedKubernetesNetworkPolicy,
            "knp" => PolicyKind.KubernetesNetworkPolicy,
            "kcnp" => PolicyKind.KubernetesClusterNetworkPolicy,
            "pro" => PolicyKind.Profile,
            "eot" => PolicyKind.EndOfTier,
            "kanp" => PolicyKind.AdminNetworkPolicy,
            "kbanp" => PolicyKind.BaselineAdminNetworkPolicy,
            _ => PolicyKind.Unknown,
        };
        return kind != PolicyKind.Unknown;
    }

    /// <summary>Kinds whose resources live in a namespace (their flow-log name part carries <c>ns/</c>).</summary>
    public static bool IsNamespaced(this PolicyKind kind) => kind is PolicyKind.CalicoNetworkPolicy or PolicyKind.StagedNetworkPolicy
        or PolicyKind.StagedKubernetesNetworkPolicy or PolicyKind.KubernetesNetworkPolicy;

    public static bool IsStaged(this PolicyKind kind) => kind is PolicyKind.StagedNetworkPolicy or PolicyKind.StagedGlobalNetworkPolicy
        or PolicyKind.StagedKubernetesNetworkPolicy;

    public static string ToWire(this PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Deny => "deny",
        PolicyAction.Pass => "pass",
        _ => "",
    };

    public static bool TryParseAction(string text, out PolicyAction action)
    {
        action = text switch
        {
            "allow" or "Allow" or "ALLOW" => PolicyAction.Allow,
            "deny" or "Deny" or "DENY" => PolicyAction.Deny,
            "pass" or "Pass" or "PASS" => PolicyAction.Pass,
            _ => PolicyAction.Unspecified,
        };
        return action != PolicyAction.Unspecified;
    }
}
