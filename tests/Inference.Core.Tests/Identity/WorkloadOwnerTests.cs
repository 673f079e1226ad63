using Inference.Core.Flows;
using Inference.Core.Identity;

namespace Inference.Core.Tests.Identity;

public sealed class WorkloadOwnerTests
{
    [Theory]
    [InlineData("frontend-7d4f8b9c6-x2x4z", "pod-template-hash=7d4f8b9c6", "frontend", WorkloadKind.Deployment)]
    [InlineData("redis-0", "statefulset.kubernetes.io/pod-name=redis-0", "redis", WorkloadKind.StatefulSet)]
    [InlineData("cilium-x7k2p", "pod-template-generation=1,controller-revision-hash=6b7", "cilium", WorkloadKind.DaemonSet)]
    [InlineData("report-29390400-x7k2p", "job-name=report-29390400", "report", WorkloadKind.CronJob)]
    [InlineData("migrate-x7k2p", "batch.kubernetes.io/job-name=migrate", "migrate", WorkloadKind.Job)]
    [InlineData("xwing", "", "xwing", WorkloadKind.Pod)]
    public void Owners_are_derived_from_pod_name_and_labels(string pod, string labels, string name, WorkloadKind kind)
    {
        var map = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal((name, kind), WorkloadOwner.FromPod(pod, map));
    }

    [Theory]
    [InlineData("frontend-7d4f8b9c6-*", "frontend", WorkloadKind.Deployment)]
    [InlineData("redis-*", "redis", WorkloadKind.StatefulSet)]
    [InlineData("redis-0", "redis", WorkloadKind.StatefulSet)]
    [InlineData("report-2939-*", "report", WorkloadKind.CronJob)]
    [InlineData("deathstar-7848d6c4d5-th9v2", "deathstar", WorkloadKind.Deployment)]
    public void Owners_are_derived_from_aggregated_names_alone(string name, string owner, WorkloadKind kind) =>
        Assert.Equal((owner, kind), WorkloadOwner.FromNameOnly(name));

    [Fact]
    public void Volatile_labels_never_enter_a_workload_identity()
    {
        var stable = VolatileLabels.Stable(new Dictionary<string, string>
        {
            ["app"] = "report", ["pod-template-hash"] = "x", ["controller-revision-hash"] = "y", ["job-name"] = "report-1",
            ["batch.kubernetes.io/controller-uid"] = "z", ["controller-uid"] = "z", ["statefulset.kubernetes.io/pod-name"] = "r-0",
            ["apps.kubernetes.io/pod-index"] = "0", ["pod-template-generation"] = "2",
        });
        Assert.Equal(["app"], stable.Keys);
    }
}
