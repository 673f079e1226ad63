namespace Inference.Core.Anomalies;

/// <summary>
/// The per-edge features the detector scores, in model order. <see cref="Floor"/> is the smallest robust spread a feature is
/// given: a feature every normal edge shares exactly (MAD 0) would otherwise turn any difference into an infinite distance.
/// </summary>
public sealed record EdgeFeature(int Index, string Name, string Unit, double Floor, string Describe)
{
    public static readonly EdgeFeature Connections = new(0, "connections", "connections (log)", 0.5, "connections in the window");
    public static readonly EdgeFeature ActiveHours = new(1, "activeHours", "hours (log)", 0.5, "clock hours with traffic");
    public static readonly EdgeFeature ActiveDays = new(2, "activeDays", "days", 1, "days with traffic");
    public static readonly EdgeFeature Regularity = new(3, "regularity", "0..1", 0.2, "how evenly spaced its active hours are");
    public static readonly EdgeFeature SourcePods = new(4, "sourcePods", "pods (log)", 0.5, "distinct source pods in an hour");
    public static readonly EdgeFeature FirstSeen = new(5, "firstSeen", "share of window", 0.2, "when it first appeared (0 = window start, 1 = end)");
    public static readonly EdgeFeature Burstiness = new(6, "burstiness", "log ratio", 0.25, "peak hour against its average hour over the window");
    public static readonly EdgeFeature PortRarity = new(7, "portRarity", "0..1", 0.25, "1 / sources using this port");
    public static readonly EdgeFeature FanOutWorkloads = new(8, "fanOutWorkloads", "peers per minute", 1, "destinations its source touched in one minute");
    public static readonly EdgeFeature FanOutPorts = new(9, "fanOutPorts", "destination ports per minute", 1, "destination ports (counted per destination) its source touched in one minute");
    public static readonly EdgeFeature CrossNamespace = new(10, "crossNamespace", "0/1", 0.5, "source and destination in different namespaces");
    public static readonly EdgeFeature DroppedShare = new(11, "droppedShare", "0..1", 0.2, "share of connections DROPPED");
    public static readonly EdgeFeature NewDomain = new(12, "newDomain", "share of window", 0.1, "when its DNS name was first resolved (external only)");

    public static IReadOnlyList<EdgeFeature> All { get; } =
    [
        Connections, ActiveHours, ActiveDays, Regularity, SourcePods, FirstSeen, Burstiness, PortRarity,
        FanOutWorkloads, FanOutPorts, CrossNamespace, DroppedShare, NewDomain,
    ];

    public const int Count = 13;
}
