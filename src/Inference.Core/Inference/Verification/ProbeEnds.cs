using System.Collections.Concurrent;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference.Selectors;

namespace Inference.Core.Inference.Verification;

/// <summary>
/// The ends a replayed connection is tried from and to: for a workload, one pod per distinct label set seen, plus the
/// pod its next replica or CronJob run will be (its stable labels only, new hashes and run suffixes unknown yet).
/// Source and destination ends get different pod names, so a workload talking to itself is still checked both ways.
/// </summary>
internal sealed class ProbeEnds
{
    public const int MaxVariants = 16;

    private readonly Dictionary<Peer, List<Dictionary<string, string>>> _labelSets = [];
    private readonly Dictionary<Peer, IReadOnlyDictionary<string, string>> _namespaceLabels = [];
    // shared by the verification's parallel partitions; a lost race builds an equal end, never a different one
    private readonly ConcurrentDictionary<(Peer, bool), IReadOnlyList<ConnectionEnd>> _cache = [];
    private readonly ConcurrentDictionary<(Peer, bool), ConnectionEnd> _representatives = [];

    /// <param name="referenced">Label keys some selector of the policies reads; other keys cannot change a decision and are dropped.</param>
    public ProbeEnds(IEnumerable<ObservedWorkload> workloads, IEnumerable<ObservedPod> pods, IReadOnlySet<string> referenced)
    {
        var sets = new Dictionary<Peer, SortedDictionary<string, Dictionary<string, string>>>();
        void Add(Peer owner, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> nsLabels)
        {
            var clean = SelectorLabels.Clean(labels);
            foreach (var k in clean.Keys.Where(k => !referenced.Contains(k)).ToList())
            {
                clean.Remove(k);
            }

            var key = string.Join("\u0001", clean.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
            if (!sets.TryGetValue(owner, out var map))
            {
                sets[owner] = map = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            }

            map.TryAdd(key, clean);
            if (nsLabels.Count > 0)
            {
                _namespaceLabels.TryAdd(owner, nsLabels);
            }
        }

        foreach (var w in workloads)
        {
            Add(w.Workload, w.Labels, w.NamespaceLabels);
        }

        foreach (var p in pods)
        {
            Add(p.Workload, p.Labels, p.NamespaceLabels);
        }

        foreach (var (owner, map) in sets)
        {
            _labelSets[owner] = [.. map.Values];
        }
    }

    /// <summary>Workloads with more label variants than are tried.</summary>
    public IEnumerable<(Peer Workload, int Variants)> Capped() =>
        _labelSets.Where(kv => kv.Value.Count > MaxVariants).Select(kv => (kv.Key, kv.Value.Count)).OrderBy(x => x.Key);

    public IReadOnlyList<ConnectionEnd> For(Peer peer, bool source)
    {
        if (_cache.TryGetValue((peer, source), out var cached))
        {
            return cached;
        }

        IReadOnlyList<ConnectionEnd> result;
        if (peer.IsWorkload)
        {
            var nsLabels = _namespaceLabels.GetValueOrDefault(peer) ?? new Dictionary<string, string>();
            var sets = _labelSets.GetValueOrDefault(peer) ?? [new Dictionary<string, string>()];
            var side = source ? "src" : "dst";
            result = [.. sets.Take(MaxVariants).Select((labels, i) => ConnectionEnd.ForPod(
                new PodEndpoint(peer.Namespace!, $"{peer.Workload}~{side}{i}", labels, nsLabels)))];
        }
        else
        {
            result = [Entity(peer)];
        }

        return _cache.GetOrAdd((peer, source), result);
    }

    /// <summary>The pod a new replica or CronJob run would be: stable labels only. One per workload and side, so the evaluator's selection cache holds.</summary>
    public ConnectionEnd Representative(Peer workload, IReadOnlyDictionary<string, string> stableLabels, bool source)
    {
        if (_representatives.TryGetValue((workload, source), out var cached))
        {
            return cached;
        }

        var end = ConnectionEnd.ForPod(new PodEndpoint(workload.Namespace!, $"{workload.Workload}~{(source ? "src" : "dst")}-next",
            SelectorLabels.Clean(stableLabels), _namespaceLabels.GetValueOrDefault(workload) ?? new Dictionary<string, string>()));
        return _representatives.GetOrAdd((workload, source), end);
    }

    private static ConnectionEnd Entity(Peer peer) => peer.Entity!.Value switch
    {
        EntityKind.World or EntityKind.Private => ConnectionEnd.ForExternal(peer.Ip ?? "", peer.Names),
        EntityKind.Host or EntityKind.RemoteNode => ConnectionEnd.ForNode(peer.Entity.Value),
        var e => ConnectionEnd.ForEntity(e),
    };
}
