using Inference.Core.Diff.Ends;
using Inference.Core.Diff.Rules;
using Inference.Core.Evaluation;
using Inference.Core.Flows;
using Inference.Core.Inference;

namespace Inference.Core.Diff.Sections;

/// <summary>What the deployed files decide for one observed edge, over every pod pair its ends were seen as.</summary>
internal sealed record EdgeOutcome(
    ObservedEdge Edge,
    bool Legitimate,
    int PairsTried,
    int PairsDenied,
    ConnectionEnd Source,
    ConnectionEnd Destination,
    EvaluationResult Result,
    IReadOnlyList<string> Notes)
{
    public bool AllAllowed => PairsDenied == 0;
    public bool AllDenied => PairsDenied == PairsTried;
}

/// <summary>A rule an observed legitimate connection matched: which workload it selected, the peer, the port.</summary>
internal sealed record RuleHit(Peer Subject, Peer Peer, L4Protocol Protocol, int? Port, long Connections, DateTimeOffset LastSeen);

/// <summary>
/// Replays every observed edge through the evaluator (source egress AND destination ingress) and records, for the
/// legitimate ones, every deployed rule that matched it: the evaluator names only the first allowing rule.
/// </summary>
internal sealed class EdgeAnalyzer(PolicyEvaluator evaluator, RuleCatalog catalog, WorkloadEnds ends)
{
    public Dictionary<DeployedRule, List<RuleHit>> Hits { get; } = [];

    /// <summary>Forwarded, audited or proxied, and not a kubelet probe from the node.</summary>
    public static bool IsLegitimate(ObservedEdge e) => e.Allowed > 0 && !e.IsHostProbe;

    public static int ProbePort(EdgeKey edge) => edge.Protocol == L4Protocol.Icmp ? edge.IcmpType ?? 0 : edge.Port ?? 0;

    public EdgeOutcome Analyze(ObservedEdge edge)
    {
        var key = edge.Edge;
        var legitimate = IsLegitimate(edge);
        var sources = ends.For(key.Source);
        var destinations = ends.For(key.Destination, rename: key.Source.Equals(key.Destination));
        var port = ProbePort(key);
        var notes = new List<string>();
        if (key.Port is null && key.Protocol != L4Protocol.Icmp)
        {
            notes.Add("the destination port is unknown; port rules are tried against port 0");
        }

        if (key.Destination.Entity is EntityKind.World or EntityKind.Private && key.Destination.Ip is null)
        {
            notes.Add("the destination address is unknown (aggregated flow logs): ipBlock/CIDR rules cannot match it");
        }

        if (key.Source.Entity is EntityKind.World or EntityKind.Private && key.Source.Ip is null)
        {
            notes.Add("the source address is unknown (aggregated flow logs): ipBlock/CIDR rules cannot match it");
        }

        int tried = 0, denied = 0;
        (ConnectionEnd S, ConnectionEnd D, EvaluationResult R)? firstDenied = null, first = null;
        var matched = new HashSet<(DeployedRule Rule, Peer Subject)>();
        foreach (var s in sources)
        {
            foreach (var d in destinations)
            {
                var result = evaluator.Evaluate(new ConnectionProbe(s, d, key.Protocol, port));
                tried++;
                first ??= (s, d, result);
                if (!result.Allowed)
                {
                    denied++;
                    firstDenied ??= (s, d, result);
                }

                if (legitimate)
                {
                    Collect(s, d, PolicyDirection.Egress, key, port, matched);
                    Collect(d, s, PolicyDirection.Ingress, key, port, matched);
                }
            }
        }

        foreach (var (rule, subject) in matched)
        {
            var peer = rule.Direction == PolicyDirection.Egress ? key.Destination : key.Source;
            if (!Hits.TryGetValue(rule, out var list))
            {
                Hits[rule] = list = [];
            }

            list.Add(new RuleHit(subject, peer, key.Protocol, key.Port, edge.Allowed, edge.LastSeen));
        }

        var shown = firstDenied ?? first!.Value;
        return new EdgeOutcome(edge, legitimate, tried, denied, shown.S, shown.D, shown.R, notes);
    }

    private void Collect(ConnectionEnd subject, ConnectionEnd peer, PolicyDirection direction, EdgeKey key, int port,
        HashSet<(DeployedRule, Peer)> matched)
    {
        if (subject.Kind != EndKind.Pod)
        {
            return;
        }

        var owner = direction == PolicyDirection.Egress ? key.Source : key.Destination;
        foreach (var rule in catalog.For(subject.Pod!, direction))
        {
            if (!matched.Contains((rule, owner)) && rule.Matches(subject, peer, key.Protocol, port))
            {
                matched.Add((rule, owner));
            }
        }
    }
}
