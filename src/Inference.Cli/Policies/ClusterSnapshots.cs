using Inference.Core.Evaluation;
using Inference.Core.Evaluation.Snapshot;
using Inference.Core.Policies;
using Inference.Store;

namespace Inference.Cli.Policies;

/// <summary>Where the evaluator's view of the cluster comes from: a kubectl snapshot file, or the pods seen in stored flows.</summary>
internal static class ClusterSnapshots
{
    public static async Task<(ClusterSnapshot Snapshot, IReadOnlyList<PolicyDiagnostic> Diagnostics)> FromFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--cluster {path}: {ex.Message}", inner: ex);
        }

        var result = ClusterSnapshotParser.Parse(text, path, cancellationToken);
        return (result.Snapshot, result.Diagnostics);
    }

    /// <summary>
    /// The pods and namespace labels the store has seen in flows. Container ports are not in flows, so named ports
    /// cannot resolve; the caller says so. A missing store gives an empty snapshot (flows then speak for themselves).
    /// </summary>
    public static (ClusterSnapshot Snapshot, string Note) FromStore(string dbPath)
    {
        if (!File.Exists(dbPath))
        {
            return (ClusterSnapshot.Empty, $"no --cluster and no store at {dbPath}: flow ends are resolved from their own endpoint labels; named ports cannot be resolved");
        }

        InferenceStore store;
        try
        {
            store = InferenceStore.Open(dbPath, new StoreOptions { ReadOnly = true });
        }
        catch (StoreException ex)
        {
            throw new CliException(ex.Message, inner: ex);
        }

        using var _ = store;
        var pods = store.Reads.Pods()
            .Select(p => PodEndpoint.FromIdentityLabels(p.Namespace, p.Pod, p.Labels, p.NamespaceLabels, p.Ip is { Length: > 0 } ip ? [ip] : null))
            .ToList();
        var namespaces = pods.GroupBy(p => p.Namespace, StringComparer.Ordinal)
            .Select(g => new KeyValuePair<string, IReadOnlyDictionary<string, string>>(g.Key, g.First().NamespaceLabels));
        return (ClusterSnapshot.Create(namespaces, pods),
            $"no --cluster: using {pods.Count} pods seen in the store {dbPath}; container ports are unknown, so named ports cannot be resolved");
    }
}
