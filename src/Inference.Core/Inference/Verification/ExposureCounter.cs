using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference.Rules;
using Inference.Core.Policies;

namespace Inference.Core.Inference.Verification;

/// <summary>
/// Exposure before vs after: (source workload, destination workload, destination port) triples over the workloads and
/// served ports seen. Before is every source times every served port. After is counted per destination policy: only
/// the workloads its ingress rules can select on that port are candidates, and each is checked both ways through the
/// evaluator, so no pair outside a rule is ever enumerated.
/// </summary>
internal static class ExposureCounter
{
    public static ExposureReport Count(PolicyEvaluator evaluator, ProbeEnds ends, IReadOnlyDictionary<Peer, ObservedWorkload> workloads,
        IReadOnlyList<SuggestedPolicy> policies, IReadOnlyDictionary<Peer, SortedSet<(L4Protocol Protocol, int Port)>> served, CancellationToken cancellationToken)
    {
        var index = new WorkloadIndex(workloads.Values);
        var byWorkload = policies.Where(p => p.Workload is not null).ToDictionary(p => p.Workload!);
        // ingress rules that apply to every pod of a namespace (none today, but a namespace-wide allow must count)
        var namespaceWide = policies.Where(p => p.Workload is null).ToLookup(p => p.Namespace, StringComparer.Ordinal);
        var sources = (long)workloads.Count;
        var destinations = served.OrderBy(kv => kv.Key).ToArray();
        var per = new PolicyExposure[destinations.Length];
        // destinations are independent: counted on every core (the evaluator is thread-safe), reported in order
        Parallel.For(0, destinations.Length, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (destination, ports) = destinations[i];
            var rules = (byWorkload.TryGetValue(destination, out var own) ? own.Ingress : [])
                .Concat(namespaceWide[destination.Namespace!].SelectMany(p => p.Ingress)).ToList();
            var dst = ends.Representative(destination, workloads[destination].Labels, source: false);
            long allowed = 0;
            var candidates = new SortedSet<Peer>();
            foreach (var (protocol, port) in ports)
            {
                candidates.Clear();
                foreach (var rule in rules)
                {
                    if (!Serves(rule, protocol, port))
                    {
                        continue;
                    }

                    foreach (var peer in rule.Peers)
                    {
                        index.Matching(peer, destination.Namespace!, candidates);
                    }
                }

                foreach (var source in candidates)
                {
                    var src = ends.Representative(source, workloads[source].Labels, source: true);
                    if (evaluator.Evaluate(new ConnectionProbe(src, dst, protocol, port)).Allowed)
                    {
                        allowed++;
                    }
                }
            }

            per[i] = new PolicyExposure(destination, sources * ports.Count, allowed);
        });

        long before = 0, after = 0, servedTotal = 0;
        foreach (var (p, (_, ports)) in per.Zip(destinations))
        {
            before += p.Before;
            after += p.After;
            servedTotal += ports.Count;
        }

        return new ExposureReport(sources, servedTotal, before, after, per);
    }

    private static bool Serves(SuggestedRule rule, L4Protocol protocol, int port)
    {
        foreach (var p in rule.Ports)
        {
            if (p.Protocol == protocol && port >= p.Port && port <= (p.EndPort ?? p.Port))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Workloads by namespace and label, to expand a rule peer into the workloads it selects.</summary>
    private sealed class WorkloadIndex
    {
        private readonly Dictionary<(string Ns, string Key, string Value), List<ObservedWorkload>> _byLabel = [];
        private readonly Dictionary<string, List<ObservedWorkload>> _byNamespace = new(StringComparer.Ordinal);
        private readonly List<ObservedWorkload> _all;

        public WorkloadIndex(IEnumerable<ObservedWorkload> workloads)
        {
            _all = [.. workloads];
            foreach (var w in _all)
            {
                var ns = w.Workload.Namespace!;
                if (!_byNamespace.TryGetValue(ns, out var list))
                {
                    _byNamespace[ns] = list = [];
                }

                list.Add(w);
                foreach (var (k, v) in w.Labels)
                {
                    if (!_byLabel.TryGetValue((ns, k, v), out var l))
                    {
                        _byLabel[(ns, k, v)] = l = [];
                    }

                    l.Add(w);
                }
            }
        }

        public void Matching(RulePeer peer, string policyNamespace, SortedSet<Peer> into)
        {
            switch (peer.Kind)
            {
                case RulePeerKind.AllPods:
                    foreach (var w in _all)
                    {
                        into.Add(w.Workload);
                    }

                    break;
                case RulePeerKind.Workload:
                    var ns = peer.Namespace ?? policyNamespace;
                    var selector = peer.Selector ?? LabelSelector.Everything;
                    var labels = selector.OrderedLabels;
                    var pool = labels.Length > 0
                        ? _byLabel.GetValueOrDefault((ns, labels[0].Key, labels[0].Value)) ?? []
                        : _byNamespace.GetValueOrDefault(ns) ?? [];
                    foreach (var w in pool)
                    {
                        if (selector.Matches(w.Labels))
                        {
                            into.Add(w.Workload);
                        }
                    }

                    break;
            }
        }
    }
}
