using Inference.Core.Connections;
using Inference.Core.Aggregation;
using Inference.Core.Flows;
using Inference.Ingest.Calico.Policies;
using Inference.Ingest.Calico.Records;

namespace Inference.Ingest.Calico.Counting;

/// <summary>
/// Folds Calico flows into the shared edge model between two flushes. Each record updates its (edge, bucket)'s
/// per-reporter counts; the edge buckets receive the change in the merged count, so a second reporter or a late split
/// record moves the totals by exactly what it adds over the max (possibly from one verdict to another).
/// </summary>
internal sealed class CalicoCounter
{
    private readonly EdgeAggregator _aggregator;
    private readonly IntervalStates _states;
    private readonly EndpointResolver _endpoints = new();
    private readonly Dictionary<(Peer Source, Peer Destination, L4Protocol Protocol, int? Port), EdgeSlot> _slots = new(SlotKeyComparer.Instance);
    private readonly Dictionary<(CalicoEndpoint Source, CalicoEndpoint Destination, L4Protocol Protocol, int? Port), Route> _routes = new(RouteKeyComparer.Instance);
    private readonly Dictionary<(string Edge, long Bucket), ReporterCounts> _dirty = [];
    private readonly Dictionary<(EdgeSlot Slot, Reporter Reporter, PolicyTrace Enforced, PolicyTrace Pending), EdgePolicyRow> _policyByTrace = [];
    private readonly Dictionary<(string Edge, string Direction, string Enforced, string Pending), EdgePolicyRow> _policies = [];
    private long? _firstNs;
    private long? _lastNs;

    public CalicoCounter(TimeSpan bucket, IntervalStates states)
    {
        _aggregator = new EdgeAggregator(bucket);
        _states = states;
    }

    public long Flows { get; private set; }

    public void Add(CalicoFlow f)
    {
        Flows++;
        var (slot, src, srcInfo, dst, dstInfo) = RouteOf(f);
        var edge = slot.Edge;
        var verdict = VerdictMapping.Map(f.Action, f.Pending);
        var bucket = _aggregator.BucketStart(f.StartNs);

        if (!slot.Buckets.TryGetValue(bucket, out var counts))
        {
            counts = _states.GetOrAdd(slot.Id, bucket);
            slot.Buckets[bucket] = counts;
        }

        var before = counts.Combined();
        counts.Add(f.Reporter, verdict, f.ConnectionsStarted);
        var after = counts.Combined();
        if (slot.Dirty.Add(bucket))
        {
            _dirty[(slot.Id, bucket)] = counts;
        }

        var srcPod = f.Source.Name;
        var dstPod = f.Destination.Name;
        var changed = false;
        changed |= Delta(edge, f, Verdict.Forwarded, after.Forwarded - before.Forwarded, srcPod, dstPod);
        changed |= Delta(edge, f, Verdict.Audit, after.Audit - before.Audit, srcPod, dstPod);
        changed |= Delta(edge, f, Verdict.Dropped, after.Dropped - before.Dropped, srcPod, dstPod);
        if (!changed)
        {
            // the other reporter already counted these connections; the edge was still seen
            _aggregator.Count(edge, f.StartNs, f.EndNs, verdict, verdict == Verdict.Dropped ? VerdictMapping.PolicyDenied : null, 0, srcPod, dstPod);
        }

        if (srcInfo is not null)
        {
            _aggregator.Observe(src, srcInfo, f.Source.Ip, f.StartNs, f.EndNs);
        }

        if (dstInfo is not null)
        {
            _aggregator.Observe(dst, dstInfo, f.Destination.Ip, f.StartNs, f.EndNs);
        }

        AddPolicy(slot, f, verdict);
        _firstNs = Math.Min(_firstNs ?? long.MaxValue, f.StartNs);
        _lastNs = Math.Max(_lastNs ?? long.MinValue, f.EndNs);
    }

    /// <summary>Moves what was counted since the last drain into <paramref name="batch"/> and <paramref name="rows"/>.</summary>
    public void DrainInto(IngestBatch batch, CalicoBatchRows rows)
    {
        _aggregator.DrainInto(batch);
        batch.FlowsRead += Flows;
        if (_firstNs is { } first)
        {
            batch.FirstFlowNs = Math.Min(batch.FirstFlowNs ?? long.MaxValue, first);
            batch.LastFlowNs = Math.Max(batch.LastFlowNs ?? long.MinValue, _lastNs!.Value);
            batch.ResumeFromNs = batch.LastFlowNs;
        }

        foreach (var ((edge, bucket), counts) in _dirty.OrderBy(d => d.Key.Edge, StringComparer.Ordinal).ThenBy(d => d.Key.Bucket))
        {
            rows.Intervals.Add(new IntervalRow(edge, bucket, (long[])counts.Values.Clone(), IsNew: !counts.Stored));
            counts.Stored = true;
        }

        rows.Policies.AddRange(_policies.OrderBy(p => p.Key.Edge, StringComparer.Ordinal).ThenBy(p => p.Key.Direction, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Enforced, StringComparer.Ordinal).ThenBy(p => p.Key.Pending, StringComparer.Ordinal).Select(p => p.Value));
        _dirty.Clear();
        _policies.Clear();
        _policyByTrace.Clear();
        foreach (var slot in _slots.Values)
        {
            slot.Dirty.Clear();
        }

        if (_slots.Count > 100_000)
        {
            _slots.Clear();
            _routes.Clear();
        }

        Flows = 0;
        _firstNs = null;
        _lastNs = null;
    }

    /// <summary>The edge's identity in Calico's own tables (peer keys are the store's keys too).</summary>
    public static string EdgeId(EdgeKey edge) =>
        string.Concat(edge.Source.Key, "\u001f", edge.Destination.Key, "\u001f", edge.Protocol.ToWire(), "\u001f",
            edge.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");

    private bool Delta(EdgeKey edge, CalicoFlow f, Verdict verdict, long delta, string? srcPod, string? dstPod)
    {
        if (delta == 0)
        {
            return false;
        }

        _aggregator.Count(edge, f.StartNs, f.EndNs, verdict, verdict == Verdict.Dropped ? VerdictMapping.PolicyDenied : null, delta, srcPod, dstPod);
        return true;
    }

    /// <summary>The edge and both ends of a record, found by its endpoint instances (the parsers share them) before any name is hashed.</summary>
    private Route RouteOf(CalicoFlow f)
    {
        var port = f.Protocol is L4Protocol.Icmp ? null : f.DestinationPort;
        var key = (f.Source, f.Destination, f.Protocol, port);
        if (!_routes.TryGetValue(key, out var route))
        {
            var (src, srcInfo) = _endpoints.Resolve(f.Source);
            var (dst, dstInfo) = _endpoints.Resolve(f.Destination);
            route = new Route(Slot(src, dst, f.Protocol, port), src, srcInfo, dst, dstInfo);
            if (_routes.Count >= 100_000)
            {
                _routes.Clear();
            }

            _routes[key] = route;
        }

        return route;
    }

    private EdgeSlot Slot(Peer src, Peer dst, L4Protocol protocol, int? port)
    {
        if (!_slots.TryGetValue((src, dst, protocol, port), out var slot))
        {
            var edge = new EdgeKey(src, dst, protocol, port, null);
            slot = new EdgeSlot(edge, EdgeId(edge));
            _slots[(src, dst, protocol, port)] = slot;
        }

        return slot;
    }

    private void AddPolicy(EdgeSlot slot, CalicoFlow f, Verdict verdict)
    {
        var fast = (slot, f.Reporter, f.Enforced, f.Pending);
        if (!_policyByTrace.TryGetValue(fast, out var row))
        {
            row = PolicyRow(slot.Id, slot.Edge, f, verdict);
            _policyByTrace[fast] = row;
        }

        row.Connections += f.ConnectionsStarted;
        row.Records++;
        row.FirstNs = Math.Min(row.FirstNs, f.StartNs);
        row.LastNs = Math.Max(row.LastNs, f.EndNs);
    }

    /// <summary>The batch's row for one direction and pair of traces (traces with the same text share it: one row per key).</summary>
    private EdgePolicyRow PolicyRow(string edgeId, EdgeKey edge, CalicoFlow f, Verdict verdict)
    {
        // a src record is the source's egress decision, a dst record the destination's ingress decision
        var direction = f.Reporter switch { Reporter.Src => "egress", Reporter.Dst => "ingress", _ => "forward" };
        var key = (edgeId, direction, f.Enforced.Text, f.Pending.Text);
        if (!_policies.TryGetValue(key, out var row))
        {
            row = new EdgePolicyRow
            {
                Edge = edgeId,
                Key = edge,
                Direction = direction,
                EnforcedAction = f.Action.ToWire(),
                EnforcedTrace = f.Enforced.Text,
                EnforcedBy = f.Enforced.Decider?.ToString(),
                PendingAction = f.Pending.Action.ToWire(),
                PendingTrace = f.Pending.Text,
                PendingBy = f.Pending.Decider?.ToString(),
                Verdict = verdict,
            };
            _policies[key] = row;
        }

        return row;
    }

    /// <summary>One edge's identity and its buckets' counts, found by the peers' identity (the resolver shares them).</summary>
    private sealed class EdgeSlot(EdgeKey edge, string id)
    {
        public EdgeKey Edge { get; } = edge;
        public string Id { get; } = id;
        public Dictionary<long, ReporterCounts> Buckets { get; } = [];
        public HashSet<long> Dirty { get; } = [];
    }

    private sealed record Route(EdgeSlot Slot, Peer Source, EndpointInfo? SourceInfo, Peer Destination, EndpointInfo? DestinationInfo);

    /// <summary>Endpoints by identity: equal endpoints parsed on different threads are different keys of the same route.</summary>
    private sealed class RouteKeyComparer : IEqualityComparer<(CalicoEndpoint Source, CalicoEndpoint Destination, L4Protocol Protocol, int? Port)>
    {
        public static readonly RouteKeyComparer Instance = new();

        public bool Equals((CalicoEndpoint Source, CalicoEndpoint Destination, L4Protocol Protocol, int? Port) x, (CalicoEndpoint Source, CalicoEndpoint Destination, L4Protocol Protocol, int? Port) y) =>
            ReferenceEquals(x.Source, y.Source) && ReferenceEquals(x.Destination, y.Destination) && x.Protocol == y.Protocol && x.Port == y.Port;

        public int GetHashCode((CalicoEndpoint Source, CalicoEndpoint Destination, L4Protocol Protocol, int? Port) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Source), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Destination), obj.Protocol, obj.Port);
    }

    private sealed class SlotKeyComparer : IEqualityComparer<(Peer Source, Peer Destination, L4Protocol Protocol, int? Port)>
    {
        public static readonly SlotKeyComparer Instance = new();

        public bool Equals((Peer Source, Peer Destination, L4Protocol Protocol, int? Port) x, (Peer Source, Peer Destination, L4Protocol Protocol, int? Port) y) =>
            x.Source.Equals(y.Source) && x.Destination.Equals(y.Destination) && x.Protocol == y.Protocol && x.Port == y.Port;

        public int GetHashCode((Peer Source, Peer Destination, L4Protocol Protocol, int? Port) obj) =>
            HashCode.Combine(obj.Source, obj.Destination, obj.Protocol, obj.Port);
    }
}
