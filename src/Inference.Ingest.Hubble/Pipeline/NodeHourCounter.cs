using Inference.Core.Activity;

namespace Inference.Ingest.Hubble.Pipeline;

/// <summary>
/// Flows per node and clock hour, counted per flow. A cluster has a handful of nodes and a stream stays in one hour for
/// a long time, so each node's current hour is counted in a short list scanned by reference (decoders intern node
/// names) and moved to the dictionary only when its hour changes or the counts are taken.
/// </summary>
internal sealed class NodeHourCounter
{
    private const long HourNs = SharedCoverageFinder.HourNs;
    private const int Current = 16;
    private readonly Dictionary<(string Node, DateTimeOffset Hour), long> _hours = [];
    private readonly HashSet<(string Node, long HourNs)> _seen = [];
    private readonly (string Node, long HourNs, long Count)[] _current = new (string, long, long)[Current];
    private int _currentCount;

    public void Count(string node, long timeNs)
    {
        var hour = timeNs - (timeNs % HourNs);
        for (var i = 0; i < _currentCount; i++)
        {
            ref var entry = ref _current[i];
            if (ReferenceEquals(entry.Node, node) || string.Equals(entry.Node, node, StringComparison.Ordinal))
            {
                if (entry.HourNs != hour)
                {
                    Move(entry);
                    entry = (entry.Node, hour, 0);
                }

                entry.Count++;
                return;
            }
        }

        if (_currentCount == Current)
        {
            // more nodes than the list holds: count the rest straight into the dictionary
            Move((node, hour, 1));
            return;
        }

        _current[_currentCount++] = (node, hour, 1);
    }

    /// <summary>Every (node, hour) counted over the counter's life, complete after a <see cref="Take"/>: what a run covered.</summary>
    public IReadOnlySet<(string Node, long HourNs)> Seen => _seen;

    /// <summary>The counts since the last call, or null when there were none.</summary>
    public NodeFlowHours? Take()
    {
        for (var i = 0; i < _currentCount; i++)
        {
            Move(_current[i]);
        }

        _currentCount = 0;
        if (_hours.Count == 0)
        {
            return null;
        }

        var taken = new NodeFlowHours(new Dictionary<(string, DateTimeOffset), long>(_hours));
        _hours.Clear();
        return taken;
    }

    private void Move((string Node, long HourNs, long Count) entry)
    {
        _seen.Add((entry.Node, entry.HourNs));
        var key = (entry.Node, DateTimeOffset.UnixEpoch.AddTicks(entry.HourNs / 100));
        _hours[key] = _hours.GetValueOrDefault(key) + entry.Count;
    }
}
