using System.Globalization;
using System.Text;

namespace Inference.Ingest.Calico.Policies;

/// <summary>
/// One policy a flow traversed, in Goldmane's shape whatever the source: a rule index of -1 (no rule matched, the tier's
/// default action applied) is an <see cref="PolicyKind.EndOfTier"/> hit whose <see cref="Trigger"/> names the policy
/// that selected the endpoint. <see cref="RuleIndex"/> is null where the source did not say (4-field strings, "-", "*").
/// </summary>
public sealed record PolicyHit(PolicyKind Kind, string Namespace, string Tier, string Name, PolicyAction Action, int PolicyIndex, int? RuleIndex, PolicyHit? Trigger = null)
{
    public const string ProfileTier = "__PROFILE__";

    public bool IsStaged => Kind.IsStaged() || (Kind == PolicyKind.EndOfTier && Trigger is { } t && t.Kind.IsStaged());

    /// <summary>The modern flow-log string (<c>idx|tier|kind:ns/name|action|rule</c>), the form stored and printed.</summary>
    public override string ToString()
    {
        var subject = Kind == PolicyKind.EndOfTier ? Trigger ?? this : this;
        var sb = new StringBuilder();
        sb.Append(PolicyIndex.ToString(CultureInfo.InvariantCulture)).Append('|').Append(Tier).Append('|');
        if (Kind == PolicyKind.EndOfTier && Trigger is null)
        {
            sb.Append("eot:__NO_MATCH__");
        }
        else
        {
            sb.Append(subject.Kind.ShortName()).Append(':');
            if (subject.Namespace.Length > 0)
            {
                sb.Append(subject.Namespace).Append('/');
            }

            sb.Append(subject.Name);
        }

        sb.Append('|').Append(Action.ToWire()).Append('|').Append(RuleIndex is { } r ? r.ToString(CultureInfo.InvariantCulture) : "-");
        return sb.ToString();
    }
}
