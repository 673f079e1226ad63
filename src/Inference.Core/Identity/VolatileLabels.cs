namespace Inference.Core.Identity;

/// <summary>
/// Labels that change with every rollout, replica or run. A selector on them stops matching after the next
/// ReplicaSet, StatefulSet revision or CronJob run, so they are never part of a workload's identity.
/// </summary>
public static class VolatileLabels
{
    private static readonly HashSet<string> Exact = new(StringComparer.Ordinal)
    {
        "pod-template-hash",
        "pod-template-generation",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "job-name",
        "controller-uid",
    };

    public static bool IsVolatile(string key) =>
        Exact.Contains(key) || key.StartsWith("batch.kubernetes.io/", StringComparison.Ordinal);

    /// <summary>The labels minus the volatile ones, sorted by key for deterministic output.</summary>
    public static SortedDictionary<string, string> Stable(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
        {
            if (!IsVolatile(key))
            {
                result[key] = value;
            }
        }

        return result;
    }
}
