using Inference.Core.Evaluation;
using Inference.Core.Flows;

namespace Inference.Core.Diff.Sections;

/// <summary>
/// Edges where the cluster's own verdict differs from the deployed files: the cluster audited or dropped by policy
/// (Hubble), or Calico's enforced or pending (staged) decision denied, while every pod pair the files were tried on is
/// allowed; or Calico's staged policies allowed a direction the files deny. Either way the files are not what the
/// cluster runs.
/// </summary>
internal static class DisagreementFinder
{
    public static IReadOnlyList<DisagreementItem> Find(IEnumerable<EdgeOutcome> outcomes, IReadOnlyList<ClusterPolicyVerdict> verdicts)
    {
        var byEdge = verdicts.GroupBy(v => (v.SourceKey, v.DestinationKey, v.Protocol, v.Port)).ToDictionary(g => g.Key, g => g.ToList());
        var items = new List<DisagreementItem>();
        foreach (var o in outcomes)
        {
            var key = o.Edge.Edge;
            var calico = byEdge.GetValueOrDefault((key.Source.Key, key.Destination.Key, key.Protocol, key.Port)) ?? [];
            var signals = Signals(o.Edge, calico);
            if (signals.Count == 0)
            {
                continue;
            }

            var denySignals = signals.Where(IsDeny).ToList();
            if (denySignals.Count > 0 && o.AllAllowed)
            {
                items.Add(new DisagreementItem(WouldBreakFinder.Connection(o), Describe(denySignals), FilesAllow(o.Result), signals, [],
                    "the cluster denies or would deny this connection, but the deployed files allow it: the cluster runs a policy the files do not have (or the files' version of it is wider)"));
                continue;
            }

            if (!o.AllDenied)
            {
                continue;
            }

            // Calico's staged policies are what enforcing would do; a direction they allow and the files deny is a real difference
            var stagedAllows = signals.Where(s => s.Verdict == "staged allow" && s.Direction is { } d && !Verdict(o.Result, d).Allowed
                && !signals.Any(x => x.Direction == d && IsDeny(x))).ToList();
            if (stagedAllows.Count > 0)
            {
                items.Add(new DisagreementItem(WouldBreakFinder.Connection(o), Describe(stagedAllows), "deny", signals, WouldBreakFinder.Denials(o),
                    "Calico's staged policies allow this connection, but the deployed files deny it: the staged policies are not the files"));
            }
        }

        return [.. items.OrderBy(i => i.Connection.Edge)];
    }

    private static bool IsDeny(ClusterSignal s) => s.Verdict is "AUDIT" or "DROPPED" or "enforced deny" or "staged deny";

    private static DirectionVerdict Verdict(EvaluationResult r, PolicyDirection d) => d == PolicyDirection.Egress ? r.Egress : r.Ingress;

    private static List<ClusterSignal> Signals(Inference.ObservedEdge edge, List<ClusterPolicyVerdict> calico)
    {
        var signals = new List<ClusterSignal>();
        if (edge.Verdicts.TryGetValue("AUDIT", out var audit) && audit > 0)
        {
            signals.Add(new ClusterSignal("flows", "AUDIT", null, null, audit));
        }

        // only drops a policy caused: a drop for a bad checksum or no route says nothing about policies
        var policyDrops = edge.DropReasons.Where(r => r.Key.Contains("POLICY", StringComparison.OrdinalIgnoreCase)).ToList();
        if (policyDrops.Count > 0)
        {
            signals.Add(new ClusterSignal("flows", "DROPPED", null, string.Join(",", policyDrops.Select(r => r.Key)), policyDrops.Sum(r => r.Value)));
        }

        foreach (var v in calico.OrderBy(v => v.Direction).ThenBy(v => v.Source, StringComparer.Ordinal).ThenBy(v => v.EnforcedBy, StringComparer.Ordinal).ThenBy(v => v.PendingBy, StringComparer.Ordinal))
        {
            if (v.EnforcedAction == "deny")
            {
                signals.Add(new ClusterSignal(v.Source, "enforced deny", v.Direction, v.EnforcedBy, v.Connections));
            }

            if (v.PendingAction == "deny")
            {
                signals.Add(new ClusterSignal(v.Source, "staged deny", v.Direction, v.PendingBy, v.Connections));
            }
            else if (v.PendingAction is "allow" or "pass" && v.PendingBy is not null)
            {
                signals.Add(new ClusterSignal(v.Source, "staged allow", v.Direction, v.PendingBy, v.Connections));
            }
        }

        return signals;
    }

    private static string Describe(IEnumerable<ClusterSignal> signals) => string.Join("; ", signals.Select(s =>
        $"{s.Verdict}{(s.Direction is { } d ? " " + d.ToString().ToLowerInvariant() : "")} x{s.Connections}{(s.DecidedBy is null ? "" : " by " + s.DecidedBy)} ({s.Source})"));

    private static string FilesAllow(EvaluationResult r)
    {
        static string Side(DirectionVerdict v) => v.Outcome switch
        {
            DirectionOutcome.AllowedByRule => $"allowed by {v.AllowedBy}",
            DirectionOutcome.NotIsolated => "not isolated",
            DirectionOutcome.NotApplicable => "not a pod",
            DirectionOutcome.NodeLocal => "from its own node",
            DirectionOutcome.Self => "pod to itself",
            _ => v.Outcome.ToString(),
        };

        return $"allow (egress: {Side(r.Egress)}; ingress: {Side(r.Ingress)})";
    }
}
