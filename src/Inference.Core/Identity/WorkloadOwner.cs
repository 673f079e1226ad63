using System.Text.RegularExpressions;
using Inference.Core.Flows;

namespace Inference.Core.Identity;

/// <summary>
/// Derives the owning workload of a pod from its name and labels when the flow source does not name it:
/// the ReplicaSet hash (Deployment), the StatefulSet ordinal, the DaemonSet suffix, and Job and CronJob run suffixes.
/// </summary>
public static partial class WorkloadOwner
{
    // Kubernetes' rand.SafeEncodeString alphabet: what pod-template-hash and generated name suffixes are made of.
    private const string Safe = "[bcdfghjklmnpqrstvwxz2456789]";

    [GeneratedRegex($"^(?<name>.+)-(?<hash>{Safe}{{6,10}})-(?<suffix>{Safe}{{5}})$")]
    private static partial Regex DeploymentPod();

    [GeneratedRegex($"^(?<name>.+)-(?<hash>{Safe}{{6,10}})-\\*$")]
    private static partial Regex DeploymentAggregate();

    [GeneratedRegex("^(?<name>.+)-(?<ordinal>[0-9]+)$")]
    private static partial Regex OrdinalPod();

    [GeneratedRegex($"^(?<name>.+)-(?<suffix>{Safe}{{5}})$")]
    private static partial Regex GeneratedSuffix();

    // A CronJob names its Jobs <cronjob>-<scheduled time in minutes since the epoch>.
    [GeneratedRegex("^(?<name>.+)-(?<run>[0-9]{4,12})$")]
    private static partial Regex CronJobRun();

    /// <summary>The owner of a pod named <paramref name="podName"/> with <paramref name="labels"/> (unfiltered pod labels).</summary>
    public static (string Name, WorkloadKind Kind) FromPod(string podName, IReadOnlyDictionary<string, string> labels)
    {
        if (labels.TryGetValue("pod-template-hash", out var hash) && hash.Length > 0)
        {
            var marker = "-" + hash + "-";
            var at = podName.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 0)
            {
                return (podName[..at], WorkloadKind.Deployment);
            }

            if (podName.EndsWith("-" + hash, StringComparison.Ordinal))
            {
                return (podName[..^(hash.Length + 1)], WorkloadKind.Deployment);
            }
        }

        var jobName = labels.GetValueOrDefault("batch.kubernetes.io/job-name") ?? labels.GetValueOrDefault("job-name");
        if (!string.IsNullOrEmpty(jobName))
        {
            return FromJobName(jobName);
        }

        if (labels.ContainsKey("statefulset.kubernetes.io/pod-name") || labels.ContainsKey("apps.kubernetes.io/pod-index"))
        {
            var m = OrdinalPod().Match(podName);
            if (m.Success)
            {
                return (m.Groups["name"].Value, WorkloadKind.StatefulSet);
            }
        }

        if (labels.ContainsKey("pod-template-generation") && labels.ContainsKey("controller-revision-hash"))
        {
            var m = GeneratedSuffix().Match(podName);
            if (m.Success)
            {
                return (m.Groups["name"].Value, WorkloadKind.DaemonSet);
            }

            if (podName.EndsWith("-*", StringComparison.Ordinal))
            {
                // Calico's aggregated name of a DaemonSet's pods (<generateName>*)
                return (podName[..^2], WorkloadKind.DaemonSet);
            }
        }

        // an aggregated name (<generateName>*) with labels that name no owner: the name's shape is all there is
        return labels.Count == 0 || podName.EndsWith("-*", StringComparison.Ordinal) ? FromNameOnly(podName) : FromNameShape(podName, labels);
    }

    /// <summary>The owner of a Job: the CronJob when the Job is named like one of its runs.</summary>
    public static (string Name, WorkloadKind Kind) FromJobName(string jobName)
    {
        var m = CronJobRun().Match(jobName);
        return m.Success ? (m.Groups["name"].Value, WorkloadKind.CronJob) : (jobName, WorkloadKind.Job);
    }

    /// <summary>
    /// From a name alone (Calico's <c>*_name_aggr</c>, field-masked flows): <c>frontend-7d4f8b9c6-*</c> and
    /// <c>frontend-7d4f8b9c6-x2x4z</c> are a Deployment, <c>redis-0</c> and <c>redis-*</c> a StatefulSet,
    /// <c>report-29390400-*</c> a CronJob's Job.
    /// </summary>
    public static (string Name, WorkloadKind Kind) FromNameOnly(string podName)
    {
        var m = DeploymentPod().Match(podName);
        if (m.Success)
        {
            return FromReplicaSetOrCronJobRun(m.Groups["name"].Value, m.Groups["hash"].Value);
        }

        m = DeploymentAggregate().Match(podName);
        if (m.Success)
        {
            return FromReplicaSetOrCronJobRun(m.Groups["name"].Value, m.Groups["hash"].Value);
        }

        if (podName.EndsWith("-*", StringComparison.Ordinal))
        {
            // an aggregated name with no hash before the star: a StatefulSet (redis-*), a DaemonSet or a Job's pods
            var prefix = podName[..^2];
            var run = CronJobRun().Match(prefix);
            return run.Success ? (run.Groups["name"].Value, WorkloadKind.CronJob) : (prefix, WorkloadKind.StatefulSet);
        }

        m = OrdinalPod().Match(podName);
        if (m.Success)
        {
            return (m.Groups["name"].Value, WorkloadKind.StatefulSet);
        }

        m = GeneratedSuffix().Match(podName);
        if (m.Success)
        {
            var prefix = m.Groups["name"].Value;
            var run = CronJobRun().Match(prefix);
            return run.Success ? (run.Groups["name"].Value, WorkloadKind.CronJob) : (prefix, WorkloadKind.DaemonSet);
        }

        return (podName, WorkloadKind.Pod);
    }

    private static (string Name, WorkloadKind Kind) FromReplicaSetOrCronJobRun(string name, string hash) =>
        // <cronjob>-<8 digits>-<suffix> also looks like a hash of digits; digits only means a CronJob run
        hash.All(char.IsAsciiDigit) ? (name, WorkloadKind.CronJob) : (name, WorkloadKind.Deployment);

    private static (string Name, WorkloadKind Kind) FromNameShape(string podName, IReadOnlyDictionary<string, string> labels)
    {
        // labels are known but carry no owner hint: trust only the unambiguous Deployment shape
        _ = labels;
        var m = DeploymentPod().Match(podName);
        return m.Success ? FromReplicaSetOrCronJobRun(m.Groups["name"].Value, m.Groups["hash"].Value) : (podName, WorkloadKind.Pod);
    }

    /// <summary>Maps a Hubble <c>Workload.kind</c> string (Deployment, CronJob, ...).</summary>
    public static WorkloadKind? ParseKind(string kind) => PeerKindNames.TryParseWorkloadKind(kind, out var k) ? k : null;
}
