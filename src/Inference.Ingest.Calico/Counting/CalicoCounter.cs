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
    private readonly Dictionary<(string Edge, long Bucket), ReporterCounts> _dirty = [];
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
        var (src, srcInfo) = _endpoints.Resolve(f.Source);
        var (dst, dstInfo) = _endpoints.Resolve(f.Destination);
        var port = f.Protocol is L4Protocol.Icmp ? null : f.DestinationPort;
        var edge = new EdgeKey(src, dst, f.Protocol, port, null);
        var edgeId = EdgeId(edge);
        var verdict = VerdictMapping.Map(f.Action, f.Pending);
        var bucket = _aggregator.BucketStart(f.StartNs);

        var counts = _states.GetOrAdd(edgeId, bucket);
        var before = counts.Combined();
        counts.Add(f.Reporter, verdict, f.ConnectionsStarted);
        var after = counts.Combined();
        _dirty[(edgeId, bucket)] = counts;

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

        AddPolicy(edgeId, edge, f, verdict);
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
            rows.Intervals.Add(new IntervalRow(edge, bucket, (long[])counts.Values.Clone()));
        }

        rows.Policies.AddRange(_policies.OrderBy(p => p.Key.Edge, StringComparer.Ordinal).ThenBy(p => p.Key.Direction, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Enforced, StringComparer.Ordinal).ThenBy(p => p.Key.Pending, StringComparer.Ordinal).Select(p => p.Value));
        _dirty.Clear();
        _policies.Clear();
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

    private void AddPolicy(string edgeId, EdgeKey edge, CalicoFlow f, Verdict verdict)
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

        row.Connections += f.ConnectionsStarted;
        row.Records++;
        row.FirstNs = Math.Min(row.FirstNs, f.StartNs);
        row.LastNs = Math.Max(row.LastNs, f.EndNs);
    }
}
