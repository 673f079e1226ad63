using System.Globalization;
using System.Text;
using Inference.Core.Evaluation;
using Inference.Core.Inference;
using Inference.Core.Inference.Rules;

namespace Inference.Core.Review;

/// <summary>
/// Stable names for what a reviewer decides on. A policy is its namespace and name (the workload's, stable across
/// runs); a rule is a hash of its content (direction, peers, ports), so a decision follows the rule from one
/// suggestion to the next and lapses as soon as the rule itself changes.
/// </summary>
public static class ReviewKeys
{
    public static string Rule(SuggestedRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var sb = new StringBuilder();
        sb.Append(rule.Direction == PolicyDirection.Ingress ? "in" : "eg").Append('|');
        sb.AppendJoin(',', rule.Peers.Select(p => p.SortKey).Order(StringComparer.Ordinal)).Append('|');
        sb.AppendJoin(',', rule.Ports.Select(p => p.Key).Order(StringComparer.Ordinal)).Append('|');
        sb.AppendJoin(',', rule.Icmps.Select(i => $"{(i.IsV6 ? 6 : 4)}:{i.Type}").Order(StringComparer.Ordinal));
        var h = 14695981039346656037UL;
        foreach (var ch in sb.ToString())
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        return (rule.Direction == PolicyDirection.Ingress ? "in-" : "eg-") + h.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>One line a person reads: "ingress from shop/[app=web] on TCP/8080".</summary>
    public static string RuleText(SuggestedRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var ingress = rule.Direction == PolicyDirection.Ingress;
        var peers = rule.Peers.Count == 0 ? "anywhere" : string.Join(", ", rule.Peers.Select(p => p.ToString()));
        var ports = rule.IsIcmp ? "ICMP " + string.Join(", ", rule.Icmps.Select(i => $"type {i.Type}{(i.IsV6 ? " (v6)" : "")}"))
            : rule.Ports.Count == 0 ? "any port" : string.Join(", ", rule.Ports.Select(p => p.ToString()));
        return $"{(ingress ? "ingress from" : "egress to")} {peers} on {ports}";
    }

    public static string Policy(SuggestedPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Namespace + "/" + policy.Name;
    }
}
