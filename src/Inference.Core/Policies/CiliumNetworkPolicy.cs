using Inference.Core.Flows;

namespace Inference.Core.Policies;

/// <summary>
/// A <c>cilium.io/v2</c> CiliumNetworkPolicy (namespaced) or CiliumClusterwideNetworkPolicy (<see cref="PolicyRef.Namespace"/> null).
/// <c>spec</c> and each entry of <c>specs</c> become one <see cref="CiliumRuleSpec"/>.
/// </summary>
public sealed class CiliumNetworkPolicy(PolicyRef reference, SourceLocation location, IReadOnlyList<CiliumRuleSpec> specs)
    : PolicyBase(reference, location)
{
    public bool IsClusterwide => Ref.Kind == PolicyKind.CiliumClusterwideNetworkPolicy;
    public IReadOnlyList<CiliumRuleSpec> Specs { get; } = specs;
}

/// <summary>
/// One Cilium rule: who it selects and its four rule lists. Any ingress or ingressDeny rule puts the selected
/// endpoints in default-deny for ingress (likewise egress), unless <c>enableDefaultDeny</c> turns that off.
/// </summary>
public sealed record CiliumRuleSpec(
    int SpecIndex,
    int Line,
    CiliumSelector? EndpointSelector,
    CiliumSelector? NodeSelector,
    IReadOnlyList<CiliumRule> Ingress,
    IReadOnlyList<CiliumRule> IngressDeny,
    IReadOnlyList<CiliumRule> Egress,
    IReadOnlyList<CiliumRule> EgressDeny,
    bool DefaultDenyIngress,
    bool DefaultDenyEgress);

/// <summary>
/// A Cilium endpoint selector over identity labels. Keys may carry a source prefix (<c>k8s:</c>, <c>any:</c>,
/// <c>reserved:</c>); <see cref="Selector"/> holds the keys with <c>k8s:</c>/<c>any:</c> removed.
/// </summary>
public sealed record CiliumSelector(LabelSelector Selector, string Text)
{
    /// <summary>True when the selector names the namespace itself (so a namespaced policy does not pin it to its own).</summary>
    public bool NamesNamespace => Selector.MatchLabels.ContainsKey(CiliumLabels.PodNamespace)
        || Selector.MatchExpressions.Any(e => e.Key == CiliumLabels.PodNamespace);
}

/// <summary>The identity label keys Cilium derives for every pod.</summary>
public static class CiliumLabels
{
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string NamespaceLabelPrefix = "io.cilium.k8s.namespace.labels.";
    public const string CiliumPrefix = "io.cilium.k8s.";
    public const string ReservedPrefix = "reserved:";

    /// <summary>Drops the <c>k8s:</c> and <c>any:</c> sources (pod labels come from Kubernetes); other sources are kept.</summary>
    public static string NormalizeKey(string key) =>
        key.StartsWith("k8s:", StringComparison.Ordinal) ? key[4..]
        : key.StartsWith("any:", StringComparison.Ordinal) ? key[4..]
        : key;
}

/// <summary>
/// One rule of ingress/egress/ingressDeny/egressDeny. A rule that names no peer but has toPorts applies to every peer;
/// a rule with neither (<c>{}</c>) allows nothing and only isolates.
/// </summary>
public sealed record CiliumRule(
    int Index,
    int Line,
    IReadOnlyList<CiliumSelector>? Endpoints,
    IReadOnlyList<string>? Entities,
    IReadOnlyList<IpBlock>? Cidrs,
    IReadOnlyList<FqdnSelector>? Fqdns,
    IReadOnlyList<CiliumPortRule>? ToPorts)
{
    public bool NamesPeers => Endpoints is { Count: > 0 } || Entities is { Count: > 0 } || Cidrs is { Count: > 0 } || Fqdns is { Count: > 0 };
}

public sealed record CiliumPortRule(IReadOnlyList<CiliumPort> Ports, L7Rules? Rules);

/// <summary>A port of toPorts. Protocol null means ANY; Port null (or 0) means every port; NamedPort resolves on the destination pod.</summary>
public sealed record CiliumPort(L4Protocol? Protocol, int? Port, string? NamedPort, int? EndPort)
{
    public override string ToString()
    {
        var port = NamedPort ?? (Port is null ? "*" : EndPort is null ? $"{Port}" : $"{Port}-{EndPort}");
        return $"{Protocol?.ToWire() ?? "ANY"}/{port}";
    }
}

/// <summary>L7 rules of a port rule. They filter requests; the L4 connection is allowed.</summary>
public sealed record L7Rules(IReadOnlyList<HttpRule>? Http, IReadOnlyList<FqdnSelector>? Dns, bool HasOther);

/// <summary>An HTTP rule: each field set is a regular expression the request must fully match.</summary>
public sealed record HttpRule(string? Method, string? Path, string? Host);

/// <summary><c>matchName</c> (exact, case-insensitive) or <c>matchPattern</c> (<c>*</c> = any run of DNS characters within a label; a lone <c>*</c> = any name).</summary>
public sealed record FqdnSelector(string? MatchName, string? MatchPattern)
{
    private readonly System.Text.RegularExpressions.Regex? _pattern = MatchPattern is null ? null : FqdnPattern.Compile(MatchPattern);

    public bool Matches(string name)
    {
        var n = name.TrimEnd('.').ToLowerInvariant();
        if (MatchName is not null && string.Equals(n, MatchName.TrimEnd('.').ToLowerInvariant(), StringComparison.Ordinal))
        {
            return true;
        }

        return _pattern is not null && _pattern.IsMatch(n);
    }

    public override string ToString() => MatchName ?? MatchPattern ?? "";
}

internal static class FqdnPattern
{
    public static System.Text.RegularExpressions.Regex Compile(string pattern)
    {
        var p = pattern.Trim().TrimEnd('.').ToLowerInvariant();
        if (p == "*")
        {
            return new System.Text.RegularExpressions.Regex("^.*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        }

        // Cilium: '*' stands for DNS-label characters and never crosses a dot; a leading '**.' spans subdomain levels
        var prefix = "";
        if (p.StartsWith("**.", StringComparison.Ordinal))
        {
            prefix = @"([-a-z0-9_]+\.)+";
            p = p[3..];
        }

        var body = prefix + string.Join("[-a-z0-9_]*", p.Split('*').Select(System.Text.RegularExpressions.Regex.Escape));
        return new System.Text.RegularExpressions.Regex("^" + body + "$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }
}
