using Inference.Core.Aggregation;
using Inference.Core.Flows;
using Inference.Ingest.Calico.Counting;
using Inference.Ingest.Calico.Policies;
using Inference.Ingest.Calico.Records;

namespace Inference.Ingest.Calico.Tests.Counting;

public sealed class CalicoCounterTests
{
    private const long T0 = 1_767_225_600L * 1_000_000_000;
    private static readonly CalicoEndpoint Frontend = new(EndpointType.Workload, "shop", "frontend-7d4f8b9c6-*", null, null, ["app=frontend", "pod-template-hash=7d4f8b9c6"], []);
    private static readonly CalicoEndpoint Redis = new(EndpointType.Workload, "shop", "redis-0", null, null, ["app=redis"], []);

    private static PolicyTrace Trace(params string[] hits) => new(hits.Select(h =>
    {
        Assert.True(PolicyHitParser.TryParse(h, out var hit, out var e), e);
        return hit;
    }));

    private static CalicoFlow Flow(Reporter reporter, long started, string action = "allow", PolicyTrace? pending = null, long offsetSeconds = 0) =>
        new(T0 + (offsetSeconds * 1_000_000_000), T0 + ((offsetSeconds + 300) * 1_000_000_000), reporter, Frontend, Redis, L4Protocol.Tcp, 6379,
            action == "allow" ? PolicyAction.Allow : PolicyAction.Deny, Trace("0|default|knp:shop/allow-redis|allow|0"), pending ?? PolicyTrace.Empty, started);

    private static (EdgeBucket Bucket, CalicoBatchRows Rows) Count(IntervalStates states, params CalicoFlow[] flows)
    {
        var counter = new CalicoCounter(TimeSpan.FromHours(1), states);
        foreach (var f in flows)
        {
            counter.Add(f);
        }

        var batch = new IngestBatch { Source = "t", SourceKind = "calico" };
        var rows = new CalicoBatchRows { Source = "t" };
        counter.DrainInto(batch, rows);
        return (Assert.Single(batch.Buckets), rows);
    }

    [Fact]
    public void Both_reporters_are_counted_once_the_larger_never_the_sum()
    {
        var (bucket, _) = Count(new IntervalStates(), Flow(Reporter.Src, 5), Flow(Reporter.Dst, 7));
        Assert.Equal((7L, 7L), (bucket.Connections, bucket.Forwarded));
    }

    [Fact]
    public void Within_one_reporter_split_records_add_up_then_the_reporters_merge_by_max()
    {
        // Felix splits one flow into several records when it saw several policy traces; intervals of one hour add up per reporter
        var (bucket, _) = Count(new IntervalStates(), Flow(Reporter.Src, 3), Flow(Reporter.Src, 2, offsetSeconds: 300), Flow(Reporter.Dst, 4), Flow(Reporter.Dst, 1, offsetSeconds: 300));
        Assert.Equal(5L, bucket.Connections);
    }

    [Fact]
    public void A_reporter_arriving_in_a_later_batch_adds_only_what_exceeds_the_first()
    {
        var states = new IntervalStates();
        var (first, _) = Count(states, Flow(Reporter.Src, 5));
        var (second, _) = Count(states, Flow(Reporter.Dst, 6));
        var (third, _) = Count(states, Flow(Reporter.Dst, 0));
        Assert.Equal((5L, 1L, 0L), (first.Connections, second.Connections, third.Connections));
    }

    [Fact]
    public void Staged_pending_deny_under_an_enforced_allow_is_audit_and_keeps_both_traces()
    {
        var pending = Trace("0|security|snp:shop/security.lockdown|deny|-1");
        var (bucket, rows) = Count(new IntervalStates(), Flow(Reporter.Dst, 4, pending: pending));
        Assert.Equal((4L, 4L, 0L), (bucket.Connections, bucket.Audit, bucket.Forwarded));
        var policy = Assert.Single(rows.Policies);
        Assert.Equal(("ingress", "allow", "deny", Verdict.Audit), (policy.Direction, policy.EnforcedAction, policy.PendingAction, policy.Verdict));
        Assert.Equal("0|default|knp:shop/allow-redis|allow|0", policy.EnforcedBy);
        Assert.Equal("0|security|snp:shop/security.lockdown|deny|-1", policy.PendingBy);
    }

    [Fact]
    public void Enforced_allow_with_pending_allow_is_forwarded()
    {
        var (bucket, _) = Count(new IntervalStates(), Flow(Reporter.Src, 3, pending: Trace("0|default|knp:shop/allow-redis|allow|0")));
        Assert.Equal((3L, 3L), (bucket.Connections, bucket.Forwarded));
    }

    [Fact]
    public void Egress_allowed_but_ingress_denied_is_one_drop_not_a_forward_and_a_drop()
    {
        var (bucket, rows) = Count(new IntervalStates(), Flow(Reporter.Src, 2), Flow(Reporter.Dst, 2, action: "deny"));
        Assert.Equal((2L, 0L, 2L), (bucket.Connections, bucket.Forwarded, bucket.Dropped));
        Assert.Equal(2L, bucket.DropReasons[VerdictMapping.PolicyDenied]);
        Assert.Equal(["egress", "ingress"], rows.Policies.Select(p => p.Direction));
    }

    [Fact]
    public void The_combined_counts_let_the_worst_verdict_win_per_connection()
    {
        var c = new ReporterCounts();
        c.Add(Reporter.Src, Verdict.Forwarded, 10);
        c.Add(Reporter.Dst, Verdict.Audit, 4);
        c.Add(Reporter.Dst, Verdict.Forwarded, 6);
        Assert.Equal((6L, 4L, 0L), c.Combined());
    }
}
