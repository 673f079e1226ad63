using Inference.Core.Flows;
using Inference.Core.Identity;

namespace Inference.Core.Tests.Identity;

/// <summary>Calico's aggregated names (<c>&lt;generateName&gt;*</c>) with the intersected labels of the pods behind them.</summary>
public sealed class WorkloadOwnerAggregatedNameTests
{
    [Theory]
    [InlineData("calico-node-*", "k8s-app=calico-node,controller-revision-hash=5f7c9,pod-template-generation=3", "calico-node", WorkloadKind.DaemonSet)]
    [InlineData("frontend-7d4f8b9c6-*", "app=frontend,pod-template-hash=7d4f8b9c6", "frontend", WorkloadKind.Deployment)]
    [InlineData("report-29390400-*", "app=report,batch.kubernetes.io/job-name=report-29390400,job-name=report-29390400", "report", WorkloadKind.CronJob)]
    [InlineData("redis-0", "app=redis,statefulset.kubernetes.io/pod-name=redis-0,controller-revision-hash=redis-6c9", "redis", WorkloadKind.StatefulSet)]
    [InlineData("redis-*", "app=redis", "redis", WorkloadKind.StatefulSet)]
    public void Aggregated_names_with_labels_resolve_to_their_owner(string name, string labels, string owner, WorkloadKind kind)
    {
        var dict = labels.Split(',').Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal((owner, kind), WorkloadOwner.FromPod(name, dict));
    }
}
