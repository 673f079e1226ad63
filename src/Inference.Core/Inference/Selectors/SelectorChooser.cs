using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Selectors;

/// <summary>
/// Picks, per workload, the smallest set of stable labels that selects all its pods and no pod of another workload in
/// its namespace. Other workloads are represented by every pod seen and by their stable labels (their future pods), so
/// the choice keeps holding after a rollout or the next CronJob run. Sets are tried by size, then by label preference.
/// </summary>
public static class SelectorChooser
{
    private const int MaxCandidates = 12;
    private const int MaxSetSize = 3;

    public static IReadOnlyDictionary<Peer, WorkloadSelector> Choose(IEnumerable<ObservedWorkload> workloads, IEnumerable<ObservedPod> pods,
        SuggestFormat format, CancellationToken cancellationToken)
    {
        var byNamespace = workloads.GroupBy(w => w.Workload.Namespace!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(w => w.Workload).ToList(), StringComparer.Ordinal);
        var podsByNamespace = pods.GroupBy(p => p.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var result = new Dictionary<Peer, WorkloadSelector>();
        foreach (var (ns, members) in byNamespace.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = new NamespaceIndex(members, podsByNamespace.GetValueOrDefault(ns) ?? []);
            foreach (var w in members)
            {
                result[w.Workload] = ChooseOne(w, index, format);
            }
        }

        return result;
    }

    private static WorkloadSelector ChooseOne(ObservedWorkload w, NamespaceIndex index, SuggestFormat format)
    {
        var candidates = w.Labels.Where(kv => SelectorLabels.IsUsable(kv.Key, format))
            .OrderBy(kv => SelectorLabels.Rank(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        if (candidates.Length == 0)
        {
            return new WorkloadSelector(w.Workload, null, [],
                $"{w.Workload}: its pods share no stable label, so no selector can pick them out; its connections are not covered (label the pod template, e.g. app.kubernetes.io/name)");
        }

        var preferred = candidates.Where(kv => !SelectorLabels.IsReleaseBound(kv.Key)).Take(MaxCandidates).ToArray();
        for (var size = 1; size <= Math.Min(MaxSetSize, preferred.Length); size++)
        {
            foreach (var set in Combinations(preferred, size))
            {
                if (index.OthersMatching(w.Workload, set).Count == 0)
                {
                    return new WorkloadSelector(w.Workload, Selector(WithName(set, preferred)), [], null);
                }
            }
        }

        // nothing small separates it: every stable label, and if even that is shared, say who else it selects
        var others = index.OthersMatching(w.Workload, candidates);
        if (others.Count == 0)
        {
            var note = candidates.Any(kv => SelectorLabels.IsReleaseBound(kv.Key))
                ? $"{w.Workload}: only a selector with release-bound labels ({string.Join(", ", candidates.Where(kv => SelectorLabels.IsReleaseBound(kv.Key)).Select(kv => kv.Key))}) separates it from its neighbours; it may stop matching after an upgrade"
                : $"{w.Workload}: needs {candidates.Length} labels to be told apart from its neighbours";
            return new WorkloadSelector(w.Workload, Selector(candidates), [], note);
        }

        return new WorkloadSelector(w.Workload, Selector(candidates), others,
            $"{w.Workload}: no label set separates it from {string.Join(", ", others.Select(o => o.Workload))}; its selector also selects them, so they share its rules (give the pod templates distinct app.kubernetes.io/name labels)");
    }

    // a Helm release name alone would also select the release's next component: keep the chart's name beside it
    private static KeyValuePair<string, string>[] WithName(KeyValuePair<string, string>[] set, KeyValuePair<string, string>[] candidates) =>
        set.Any(kv => kv.Key == "app.kubernetes.io/instance") && set.All(kv => kv.Key != "app.kubernetes.io/name")
            && candidates.FirstOrDefault(kv => kv.Key == "app.kubernetes.io/name") is { Key: not null } name
            ? [name, .. set] : set;

    private static LabelSelector Selector(IEnumerable<KeyValuePair<string, string>> labels) =>
        new(labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    private static IEnumerable<KeyValuePair<string, string>[]> Combinations(KeyValuePair<string, string>[] items, int size)
    {
        var idx = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            yield return [.. idx.Select(i => items[i])];
            var k = size - 1;
            while (k >= 0 && idx[k] == items.Length - size + k)
            {
                k--;
            }

            if (k < 0)
            {
                yield break;
            }

            idx[k]++;
            for (var j = k + 1; j < size; j++)
            {
                idx[j] = idx[j - 1] + 1;
            }
        }
    }

    /// <summary>Label sets of a namespace (each pod seen, and each workload's stable labels), indexed by label.</summary>
    private sealed class NamespaceIndex
    {
        private readonly List<(Peer Owner, Dictionary<string, string> Labels)> _members = [];
        private readonly Dictionary<(string, string), List<int>> _byLabel = [];

        public NamespaceIndex(IEnumerable<ObservedWorkload> workloads, IEnumerable<ObservedPod> pods)
        {
            foreach (var w in workloads)
            {
                Add(w.Workload, SelectorLabels.Clean(w.Labels));
            }

            foreach (var p in pods)
            {
                Add(p.Workload, SelectorLabels.Clean(p.Labels));
            }
        }

        private void Add(Peer owner, Dictionary<string, string> labels)
        {
            var i = _members.Count;
            _members.Add((owner, labels));
            foreach (var kv in labels)
            {
                if (!_byLabel.TryGetValue((kv.Key, kv.Value), out var list))
                {
                    _byLabel[(kv.Key, kv.Value)] = list = [];
                }

                list.Add(i);
            }
        }

        /// <summary>The other workloads with a member carrying every label of <paramref name="set"/>.</summary>
        public List<Peer> OthersMatching(Peer self, IReadOnlyList<KeyValuePair<string, string>> set)
        {
            var first = _byLabel.GetValueOrDefault((set[0].Key, set[0].Value)) ?? [];
            var others = new SortedSet<Peer>();
            foreach (var i in first)
            {
                var (owner, labels) = _members[i];
                if (owner.Equals(self) || others.Contains(owner))
                {
                    continue;
                }

                var all = true;
                for (var j = 1; j < set.Count && all; j++)
                {
                    all = labels.TryGetValue(set[j].Key, out var v) && v == set[j].Value;
                }

                if (all)
                {
                    others.Add(owner);
                }
            }

            return [.. others];
        }
    }
}
