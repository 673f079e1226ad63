using Inference.Core.Flows;

namespace Inference.Ingest.Calico.Policies;

/// <summary>Maps Calico's enforced action and pending (staged) trace onto the verdicts Hubble's path stores.</summary>
public static class VerdictMapping
{
    /// <summary>The drop reason Hubble gives a policy denial, so both sources count drops under one name.</summary>
    public const string PolicyDenied = "POLICY_DENIED";

    /// <summary>
    /// deny is DROPPED; allow is AUDIT when the staged policies, once enforced, would deny (the pending trace ends in deny),
    /// otherwise FORWARDED. An empty pending trace (policies not logged) cannot say more than the enforced action.
    /// </summary>
    public static Verdict Map(PolicyAction enforced, PolicyTrace pending) => enforced switch
    {
        PolicyAction.Deny => Verdict.Dropped,
        PolicyAction.Allow or PolicyAction.Pass => pending.Action == PolicyAction.Deny ? Verdict.Audit : Verdict.Forwarded,
        _ => Verdict.Unknown,
    };
}
