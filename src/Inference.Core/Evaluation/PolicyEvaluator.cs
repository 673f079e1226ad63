using System.Collections.Concurrent;
using Inference.Core.Evaluation.Compiled;
using Inference.Core.Flows;
using Inference.Core.Policies;

namespace Inference.Core.Evaluation;

/// <summary>
/// Decides what a <see cref="PolicySet"/> allows. Policies are compiled once and indexed by namespace; the policies
/// selecting a pod are computed once per distinct (namespace, labels, namespace labels) and cached. Thread-safe.
/// Kubernetes semantics: isolation per pod and direction, additive rules, both ends must allow. Cilium kinds add
/// entities, FQDNs, L7 port rules and deny rules, which take precedence over every allow (Kubernetes policies included).
/// </summary>
public sealed class PolicyEvaluator
{
    private static readonly PolicyRef[] NoPolicies = [];
    private readonly EvaluatorOptions _options;
    private readonly bool _indexed;
    private readonly KubernetesCompiled[] _kubernetes;
    private readonly CiliumCompiled[] _cilium;
    private readonly Dictionary<string, KubernetesCompiled[]> _kubernetesByNamespace;
    private readonly Dictionary<string, CiliumCompiled[]> _ciliumByNamespace;
    private readonly CiliumCompiled[] _ciliumClusterwide;
    private readonly ConcurrentDictionary<string, Subject> _subjects = new(StringComparer.Ordinal);

    public PolicyEvaluator(PolicySet policies, EvaluatorOptions? options = null)
        : this(policies, options ?? EvaluatorOptions.Default, indexed: true)
    {
    }

    /// <summary><paramref name="indexed"/> false: every probe scans every policy (the benchmark's baseline and the tests' cross-check).</summary>
    internal PolicyEvaluator(PolicySet policies, EvaluatorOptions options, bool indexed)
    {
        _options = options;
        _indexed = indexed;
        // PolicySet is sorted by PolicyRef, so the first matching rule found is also the smallest: the reported rule never depends on load order
        _kubernetes = [.. policies.Policies.OfType<KubernetesNetworkPolicy>().Select(p => new KubernetesCompiled(p))];
        _cilium = [.. policies.Policies.OfType<CiliumNetworkPolicy>().SelectMany(p => p.Specs.Select(s => new CiliumCompiled(p, s)))];
        _kubernetesByNamespace = _kubernetes.GroupBy(p => p.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _ciliumByNamespace = _cilium.Where(c => c.Namespace is not null).GroupBy(c => c.Namespace!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _ciliumClusterwide = [.. _cilium.Where(c => c.Namespace is null)];
    }

    public EvaluatorOptions Options => _options;

    public EvaluationResult Evaluate(ConnectionProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        List<string>? notes = null;
        var egress = EvaluateDirection(PolicyDirection.Egress, probe.Source, probe.Destination, probe, ref notes);
        var ingress = EvaluateDirection(PolicyDirection.Ingress, probe.Destination, probe.Source, probe, ref notes);
        return new EvaluationResult(egress, ingress, (IReadOnlyList<string>?)notes ?? []);
    }

    public IEnumerable<EvaluationResult> EvaluateAll(IEnumerable<ConnectionProbe> probes, CancellationToken cancellationToken)
    {
        foreach (var probe in probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Evaluate(probe);
        }
    }

    private DirectionVerdict EvaluateDirection(PolicyDirection direction, ConnectionEnd subjectEnd, ConnectionEnd peer, ConnectionProbe probe, ref List<string>? notes)
    {
        if (subjectEnd.Kind != EndKind.Pod)
        {
            return new DirectionVerdict(direction, DirectionOutcome.NotApplicable, null, null, NoPolicies);
        }

        var pod = subjectEnd.Pod!;
        if (peer.Kind == EndKind.Pod && peer.Pod!.IsSamePod(pod))
        {
            // a pod cannot block itself (semantics 3.10); the e2e suites skip the diagonal
            return new DirectionVerdict(direction, DirectionOutcome.Self, null, null, NoPolicies);
        }

        if (direction == PolicyDirection.Ingress && IsFromLocalNode(peer, pod))
        {
            return new DirectionVerdict(direction, DirectionOutcome.NodeLocal, null, null, NoPolicies);
        }

        var subject = SubjectFor(pod);
        var egress = direction == PolicyDirection.Egress;
        var kubernetes = egress ? subject.KubernetesEgress : subject.KubernetesIngress;
        var cilium = egress ? subject.CiliumEgress : subject.CiliumIngress;
        var isolatedBy = egress ? subject.IsolatedEgress : subject.IsolatedIngress;
        var destination = probe.Destination;

        // deny rules first: they win over any allow, and apply whether or not the pod is otherwise isolated
        foreach (var spec in cilium)
        {
            var denies = egress ? spec.EgressDeny : spec.IngressDeny;
            foreach (var rule in denies)
            {
                if (rule.PeerMatches(peer, pod, egress) && rule.PortMatches(probe.Protocol, probe.Port, destination, null) != L7Match.NoMatch)
                {
                    return new DirectionVerdict(direction, DirectionOutcome.DeniedByRule, null,
                        new RuleRef(spec.Ref, direction, rule.Rule.Index, spec.Spec.SpecIndex, IsDeny: true), isolatedBy);
                }
            }
        }

        if (isolatedBy.Length == 0)
        {
            return new DirectionVerdict(direction, DirectionOutcome.NotIsolated, null, null, NoPolicies);
        }

        if (probe.Protocol is not (L4Protocol.Tcp or L4Protocol.Udp or L4Protocol.Sctp) && kubernetes.Length > 0)
        {
            AddNote(ref notes, $"{probe.Protocol.ToWire()} is not defined by Kubernetes NetworkPolicy; only rules without ports are taken to cover it");
        }

        foreach (var policy in kubernetes)
        {
            var rules = egress ? policy.EgressRules : policy.IngressRules;
            for (var i = 0; i < rules.Count; i++)
            {
                var rule = rules[i];
                if (KubernetesCompiled.RuleMatches(rule, policy.Namespace, peer, destination, probe.Protocol, probe.Port, _options.IpBlockMatchesPodIps))
                {
                    return new DirectionVerdict(direction, DirectionOutcome.AllowedByRule, new RuleRef(policy.Ref, direction, rule.Index), null, isolatedBy);
                }
            }
        }

        RuleRef? restricted = null;
        foreach (var spec in cilium)
        {
            // a spec with enableDefaultDeny off does not isolate, but its allow rules count once something else does
            foreach (var rule in egress ? spec.Egress : spec.Ingress)
            {
                if (!rule.PeerMatches(peer, pod, egress))
                {
                    continue;
                }

                var match = rule.PortMatches(probe.Protocol, probe.Port, destination, probe.L7);
                var reference = new RuleRef(spec.Ref, direction, rule.Rule.Index, spec.Spec.SpecIndex);
                if (match == L7Match.Match)
                {
                    return new DirectionVerdict(direction, DirectionOutcome.AllowedByRule, reference, null, isolatedBy);
                }

                if (match == L7Match.Restricted)
                {
                    restricted ??= reference;
                }
            }
        }

        if (restricted is not null)
        {
            AddNote(ref notes, $"{direction.ToString().ToLowerInvariant()}: allowed at L4 by {restricted}; its L7 rules filter the requests");
            return new DirectionVerdict(direction, DirectionOutcome.AllowedByRule, restricted, null, isolatedBy);
        }

        return new DirectionVerdict(direction, DirectionOutcome.NotAllowed, null, null, isolatedBy);
    }

    private static void AddNote(ref List<string>? notes, string note)
    {
        notes ??= [];
        if (!notes.Contains(note))
        {
            notes.Add(note);
        }
    }

    /// <summary>Traffic from the pod's own node: the host identity, or the pod's host IP.</summary>
    private static bool IsFromLocalNode(ConnectionEnd peer, PodEndpoint pod)
    {
        if (peer.Kind != EndKind.Node)
        {
            return false;
        }

        if (peer.NodeName is not null && pod.NodeName is not null)
        {
            return peer.NodeName == pod.NodeName;
        }

        if (peer.Ip is not null && pod.HostIp is not null)
        {
            return peer.Ip == pod.HostIp;
        }

        // Hubble's `host` identity is the local node of the endpoint it talks to
        return peer.Entity == EntityKind.Host;
    }

    private Subject SubjectFor(PodEndpoint pod)
    {
        if (!_indexed)
        {
            return BuildSubject(pod);
        }

        if (pod.SelectionCache is { } cached && ReferenceEquals(cached.Owner, this))
        {
            return (Subject)cached.Subject;
        }

        var subject = _subjects.GetOrAdd(pod.IdentityKey, static (_, arg) => arg.Self.BuildSubject(arg.Pod), (Self: this, Pod: pod));
        pod.SelectionCache = new SelectionCacheEntry(this, subject);
        return subject;
    }

    private Subject BuildSubject(PodEndpoint pod)
    {
        IEnumerable<KubernetesCompiled> kubernetes = _kubernetes;
        IEnumerable<CiliumCompiled> cilium = _cilium;
        if (_indexed)
        {
            kubernetes = _kubernetesByNamespace.GetValueOrDefault(pod.Namespace) ?? [];
            var own = _ciliumByNamespace.GetValueOrDefault(pod.Namespace) ?? [];
            // keep PolicyRef order: cluster-wide kind sorts after namespaced CNPs
            cilium = own.Concat(_ciliumClusterwide);
        }

        var k8s = kubernetes.Where(p => p.Selects(pod)).ToArray();
        var cil = cilium.Where(c => c.Selects(pod)).ToArray();
        var kIn = k8s.Where(p => p.IsolatesIngress).ToArray();
        var kEg = k8s.Where(p => p.IsolatesEgress).ToArray();
        var cIn = cil.Where(c => c.HasIngress).ToArray();
        var cEg = cil.Where(c => c.HasEgress).ToArray();
        var isoIn = kIn.Select(p => p.Ref).Concat(cIn.Where(c => c.IsolatesIngress).Select(c => c.Ref)).Distinct().Order().ToArray();
        var isoEg = kEg.Select(p => p.Ref).Concat(cEg.Where(c => c.IsolatesEgress).Select(c => c.Ref)).Distinct().Order().ToArray();
        return new Subject(kIn, kEg, cIn, cEg, isoIn, isoEg);
    }

    private sealed record Subject(
        KubernetesCompiled[] KubernetesIngress,
        KubernetesCompiled[] KubernetesEgress,
        CiliumCompiled[] CiliumIngress,
        CiliumCompiled[] CiliumEgress,
        PolicyRef[] IsolatedIngress,
        PolicyRef[] IsolatedEgress);
}
