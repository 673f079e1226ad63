using Inference.Core.Activity;
using Inference.Core.Aggregation;
using Inference.Core.Connections;
using Inference.Ingest.Hubble.Decoding;
using Inference.Store;
using Inference.Store.Writing;

namespace Inference.Ingest.Hubble.Pipeline;

/// <summary>
/// Decoded responses in, stored edges out: assembles connections, folds them into edge buckets and hands a batch to the
/// store's writer every flush interval. Single-threaded (one per stream); the writer runs on its own task.
/// </summary>
public sealed class FlowPipeline
{
    private readonly IngestOptions _options;
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ConnectionTracker _tracker;
    private readonly EdgeAggregator _aggregator;
    private readonly List<Connection> _closed = [];
    private IngestBatch _batch;
    private long _lastFlush;
    private long _duplicatesReported;
    private long _ignoredReported;
    private long _rawKept;
    private readonly NodeHourCounter _nodeHours = new();

    // the time this run's flows covered, folded in at every flush (their node hours are the counter's)
    private long? _coveredFromNs;
    private long _coveredToNs;

    // a resume starts its margin (30 s by default) before the resume point; connections then join within the window and lateness
    private static readonly TimeSpan ResumeSlack = TimeSpan.FromMinutes(2);

    public FlowPipeline(IngestOptions options, StoreWriter writer, TimeProvider time)
    {
        _options = options;
        _writer = writer;
        _time = time;
        _tracker = new ConnectionTracker(options.Connections);
        _aggregator = new EdgeAggregator(options.Bucket);
        _batch = NewBatch();
        _lastFlush = time.GetTimestamp();
    }

    public long FlowsRead { get; private set; }
    public long Connections { get; private set; }
    public long LostEvents { get; private set; }
    public long Duplicates => _tracker.Duplicates;

    /// <summary>The latest flow time seen (what a reconnect resumes from, minus a margin).</summary>
    public long LastFlowNs => _tracker.MaxSeenNs;

    /// <summary>
    /// The time this run's flows covered as of the last flush (not the events replayed to finish an earlier import), or
    /// null before any.
    /// </summary>
    public CoveredTime? Covered => _coveredFromNs is { } from ? new CoveredTime(_options.Source, _options.SourceKind, from, _coveredToNs, _nodeHours.Seen) : null;

    /// <summary>
    /// How far before a source's last flow the connections it stored are remembered: a later run that sends their events
    /// again (a resume, an overlapping export) does not count them twice.
    /// </summary>
    public static TimeSpan Remembered(IngestOptions options) => options.ResumeReach + ResumeSlack;

    /// <summary>Makes a resumed stream skip the events of connections an earlier run already stored.</summary>
    public void Resume(ResumeStateView state)
    {
        foreach (var (tuple, lastNs) in state.RecentConnections)
        {
            _tracker.RememberStored(tuple, lastNs, Remembered(_options));
        }
    }

    /// <summary>Adds rows an extension of the store writes with the next batch, in its transaction.</summary>
    public void Attach(object extension) => _batch.Extensions.Add(extension);

    public void Accept(in DecodedResponse response, string? raw = null)
    {
        switch (response.Kind)
        {
            case ResponseKind.Flow:
                var flow = response.Flow!;
                FlowsRead++;
                _batch.FlowsRead++;
                _batch.FirstFlowNs = _batch.FirstFlowNs is { } f ? Math.Min(f, flow.TimeNs) : flow.TimeNs;
                _batch.LastFlowNs = _batch.LastFlowNs is { } l ? Math.Max(l, flow.TimeNs) : flow.TimeNs;
                if (_rawKept < _options.KeepRaw && raw is not null)
                {
                    _rawKept++;
                    _batch.RawFlows.Add((flow.TimeNs, raw));
                }

                // an hour a node sent nothing is a blind spot coverage reports
                _nodeHours.Count(flow.Node, flow.TimeNs);
                _tracker.Add(flow, _closed);
                Drain();
                break;
            case ResponseKind.LostEvents:
                LostEvents += response.Lost!.Count;
                _batch.LostEvents.Add(response.Lost with { ObservedNs = response.Lost.ObservedNs == 0 ? Now() : response.Lost.ObservedNs });
                break;
            case ResponseKind.NodeStatus:
                var status = response.NodeStatus!;
                foreach (var node in status.Nodes.DefaultIfEmpty(""))
                {
                    _batch.NodeStatuses.Add(new NodeStatusRecord(node, status.State, status.Message, status.TimeNs == 0 ? Now() : status.TimeNs));
                }

                break;
        }
    }

    /// <summary>
    /// A response an import that died before finishing already read: its batches stored every connection closed by then,
    /// its lost events and node hours, but not the connections still open, which began at <paramref name="fromNs"/> or
    /// later. Only the events of those go on to the tracker (the stored ones it remembers drop as duplicates); nothing
    /// else is counted again.
    /// </summary>
    public void Replay(in DecodedResponse response, long fromNs)
    {
        if (response.Kind == ResponseKind.Flow && response.Flow!.TimeNs >= fromNs)
        {
            _tracker.Add(response.Flow, _closed);
            Drain();
        }
    }

    /// <summary>Records a stretch of time the stream could not cover.</summary>
    public void ReportGap(string? node, long fromNs, long toNs, string reason) =>
        _batch.Gaps.Add(new DataGap(node, fromNs, toNs, reason, Now()));

    /// <summary>True when a flush is due (interval elapsed or enough pending).</summary>
    public bool FlushDue =>
        _aggregator.PendingBuckets >= _options.FlushBuckets || _time.GetElapsedTime(_lastFlush) >= _options.FlushInterval;

    /// <summary>Hands what is pending to the writer. <paramref name="final"/> closes every open connection first (end of input, shutdown).</summary>
    public async ValueTask FlushAsync(bool final, CancellationToken cancellationToken)
    {
        if (final)
        {
            _tracker.CloseAll(_closed);
        }
        else
        {
            _tracker.Sweep(_closed);
        }

        Drain();
        _aggregator.DrainInto(_batch);
        _batch.Duplicates = _tracker.Duplicates - _duplicatesReported;
        _batch.Ignored = _tracker.Ignored - _ignoredReported;
        _duplicatesReported = _tracker.Duplicates;
        _ignoredReported = _tracker.Ignored;
        _batch.ResumeFromNs = ResumePoint();
        _lastFlush = _time.GetTimestamp();
        if (_nodeHours.Take() is { } hours)
        {
            _batch.Extensions.Add(hours);
        }

        if (_batch.FirstFlowNs is { } first)
        {
            _coveredFromNs = Math.Min(_coveredFromNs ?? first, first);
            _coveredToNs = Math.Max(_coveredToNs, _batch.LastFlowNs ?? first);
        }

        if (_batch.IsEmpty)
        {
            return;
        }

        var batch = _batch;
        _batch = NewBatch();
        // after a flush with no open connection, the write must be durable before we report done
        await _writer.WriteAsync(batch, cancellationToken);
    }

    private void Drain()
    {
        if (_closed.Count == 0)
        {
            return;
        }

        // what a resume can replay: the resume point's reach, then its margin, the window and the lateness with room to spare
        var recentHorizon = _tracker.MaxSeenNs - (long)Remembered(_options).TotalNanoseconds;
        foreach (var connection in _closed)
        {
            _aggregator.Add(connection);
            Connections++;
            if (connection.LastNs >= recentHorizon)
            {
                _batch.RecentConnections.Add((connection.Tuple, connection.LastNs));
            }
        }

        _closed.Clear();
    }

    /// <summary>
    /// Where a later run resumes so none of the events of a connection still open are missed: before the oldest one, but
    /// never further back than <see cref="IngestOptions.ResumeReach"/> from the newest flow, so the connections stored
    /// since (the recent sets, kept from that far back) cover everything a replay sends again.
    /// </summary>
    private long? ResumePoint()
    {
        if (_tracker.MaxSeenNs == 0)
        {
            return null;
        }

        var reach = _tracker.MaxSeenNs - (long)_options.ResumeReach.TotalNanoseconds;
        return _tracker.OldestOpenNs is { } oldest ? Math.Max(oldest, reach) : _tracker.MaxSeenNs;
    }

    private IngestBatch NewBatch()
    {
        var batch = new IngestBatch { Source = _options.Source, SourceKind = _options.SourceKind, Address = _options.Address };
        // sized like the last flush's: grown by doubling, a busy stream's list is rebuilt in large arrays every flush
        batch.RecentConnections.EnsureCapacity(_batch?.RecentConnections.Count ?? 0);
        return batch;
    }

    private long Now() => (_time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
}

/// <summary>What a resumed stream needs to know (see <see cref="Inference.Store.Reading.ResumeState"/>).</summary>
public sealed record ResumeStateView(long? ResumeFromNs, long? LastFlowNs, IReadOnlyList<(FiveTuple Tuple, long LastNs)> RecentConnections)
{
    public static ResumeStateView From(InferenceStore store, string source)
    {
        var state = store.Reads.Resume(source);
        return new ResumeStateView(state.ResumeFromNs, state.LastFlowNs, state.RecentConnections);
    }
}
