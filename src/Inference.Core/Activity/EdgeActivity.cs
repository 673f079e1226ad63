using Inference.Core.Flows;

namespace Inference.Core.Activity;

/// <summary>An edge with its hourly series over the window, hours in time order.</summary>
public sealed class EdgeActivity
{
    public EdgeActivity(EdgeKey edge, IReadOnlyList<HourActivity> hours)
    {
        if (hours.Count == 0)
        {
            throw new ArgumentException("an edge has at least one active hour", nameof(hours));
        }

        Edge = edge;
        Hours = hours;
        FirstSeen = hours.Min(h => h.FirstSeen);
        LastSeen = hours.Max(h => h.LastSeen);
        Connections = hours.Sum(h => h.Connections);
        Dropped = hours.Sum(h => h.Dropped);
    }

    public EdgeKey Edge { get; }
    public IReadOnlyList<HourActivity> Hours { get; }
    public DateTimeOffset FirstSeen { get; }
    public DateTimeOffset LastSeen { get; }
    public long Connections { get; }
    public long Dropped { get; }
}
