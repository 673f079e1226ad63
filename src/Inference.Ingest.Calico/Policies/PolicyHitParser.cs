using System.Globalization;

namespace Inference.Ingest.Calico.Policies;

/// <summary>
/// Parses Felix policy-hit strings of all three generations:
/// 4-field <c>idx|tier|name|action</c> (≈2019), legacy 5-field <c>idx|tier|ns/tier.name|action|rule</c> with
/// <c>staged:</c> and <c>knp.default.</c> name conventions, and modern (v3.32+) <c>idx|tier|kind:ns/name|action|rule</c>.
/// Names are normalised the way Calico v3.32 renamed them, so old and new data of one policy meet.
/// </summary>
public static class PolicyHitParser
{
    private const string StagedMarker = "staged:";
    private const string LegacyKnpPrefix = "knp.default.";

    public static bool TryParse(string text, out PolicyHit hit, out string error)
    {
        hit = null!;
        var fields = text.Split('|');
        if (fields.Length is not (4 or 5))
        {
            error = $"policy hit '{text}' has {fields.Length} '|'-separated fields, expected 4 or 5";
            return false;
        }

        if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            error = $"policy hit '{text}' has a non-integer policy index '{fields[0]}'";
            return false;
        }

        if (!PolicyNames.TryParseAction(fields[3], out var action))
        {
            error = $"policy hit '{text}' has an unknown action '{fields[3]}'";
            return false;
        }

        int? rule = null;
        if (fields.Length == 5 && fields[4] is not ("-" or "*" or ""))
        {
            if (!int.TryParse(fields[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var r))
            {
                error = $"policy hit '{text}' has a non-integer rule index '{fields[4]}'";
                return false;
            }

            rule = r;
        }

        var tier = fields[1];
        var namePart = fields[2];
        PolicyHit subject;
        if (tier == "*" && namePart == "*")
        {
            // RBAC-obfuscated by Linseed: only the action is known
            subject = new PolicyHit(PolicyKind.Unknown, "", "*", "*", action, index, rule);
        }
        else
        {
            var colon = namePart.IndexOf(':', StringComparison.Ordinal);
            var slash = namePart.IndexOf('/', StringComparison.Ordinal);
            subject = colon > 0 && (slash < 0 || colon < slash) && PolicyNames.TryParseShortName(namePart[..colon], out var kind)
                ? Modern(kind, tier, namePart[(colon + 1)..], action, index, rule)
                : Legacy(tier, namePart, action, index, rule);
        }

        // Goldmane's model: rule index -1 means the tier's default action, triggered by the policy named
        hit = rule == -1 && subject.Kind != PolicyKind.EndOfTier
            ? new PolicyHit(PolicyKind.EndOfTier, "", subject.Tier, "", action, index, -1, subject with { Action = PolicyAction.Unspecified, PolicyIndex = 0, RuleIndex = null })
            : subject;
        error = "";
        return true;
    }

    private static PolicyHit Modern(PolicyKind kind, string tier, string rest, PolicyAction action, int index, int? rule)
    {
        if (kind == PolicyKind.EndOfTier)
        {
            return new PolicyHit(PolicyKind.EndOfTier, "", tier, "", action, index, rule ?? -1);
        }

        var ns = "";
        if (kind.IsNamespaced())
        {
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                ns = rest[..slash];
                rest = rest[(slash + 1)..];
            }
        }

        if (kind == PolicyKind.Profile)
        {
            tier = PolicyHit.ProfileTier;
        }

        return new PolicyHit(kind, ns, tier, Normalize(kind, tier, rest), action, index, rule);
    }

    private static PolicyHit Legacy(string tier, string namePart, PolicyAction action, int index, int? rule)
    {
        if (tier == PolicyHit.ProfileTier)
        {
            var name = namePart.StartsWith(PolicyHit.ProfileTier + ".", StringComparison.Ordinal) ? namePart[(PolicyHit.ProfileTier.Length + 1)..] : namePart;
            return new PolicyHit(PolicyKind.Profile, "", tier, name, action, index, rule);
        }

        var slash = namePart.IndexOf('/', StringComparison.Ordinal);
        var ns = slash > 0 ? namePart[..slash] : "";
        var rest = slash > 0 ? namePart[(slash + 1)..] : namePart;
        var staged = false;
        if (rest.StartsWith(StagedMarker, StringComparison.Ordinal))
        {
            // <ns>/staged:<tier>.<name> (docs) and <ns>/staged:knp.default.<name>
            staged = true;
            rest = rest[StagedMarker.Length..];
        }
        else if (rest.IndexOf("." + StagedMarker, StringComparison.Ordinal) is var at and > 0)
        {
            // <ns>/<tier>.staged:<name> and <tier>.staged:<name> (Felix code)
            staged = true;
            rest = rest[..(at + 1)] + rest[(at + 1 + StagedMarker.Length)..];
        }

        PolicyKind kind;
        if (rest.StartsWith(LegacyKnpPrefix, StringComparison.Ordinal))
        {
            kind = staged ? PolicyKind.StagedKubernetesNetworkPolicy : PolicyKind.KubernetesNetworkPolicy;
            rest = rest[LegacyKnpPrefix.Length..];
        }
        else if (ns.Length > 0)
        {
            kind = staged ? PolicyKind.StagedNetworkPolicy : PolicyKind.CalicoNetworkPolicy;
        }
        else
        {
            kind = staged ? PolicyKind.StagedGlobalNetworkPolicy : PolicyKind.GlobalNetworkPolicy;
        }

        return new PolicyHit(kind, ns, tier, Normalize(kind, tier, rest), action, index, rule);
    }

    /// <summary>
    /// Calico before v3.32 prefixed default-tier policy names with <c>default.</c> (the resource itself is named without it);
    /// v3.32 dropped the prefix. Removing it lets one policy's old and new hits meet. Other tiers' prefixes were part of the name.
    /// </summary>
    internal static string Normalize(PolicyKind kind, string tier, string name) =>
        tier == "default" && kind is PolicyKind.CalicoNetworkPolicy or PolicyKind.GlobalNetworkPolicy or PolicyKind.StagedNetworkPolicy or PolicyKind.StagedGlobalNetworkPolicy
            && name.StartsWith("default.", StringComparison.Ordinal) && name.Length > "default.".Length
            ? name["default.".Length..]
            : name;
}
