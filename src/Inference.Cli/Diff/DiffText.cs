using System.Globalization;
using Inference.Core.Diff;
using Inference.Core.Flows;

namespace Inference.Cli.Diff;

/// <summary>Short text forms shared by the table and the HTML report.</summary>
internal static class DiffText
{
    public static string Port(EdgeKey e) => e.Protocol == L4Protocol.Icmp
        ? $"ICMP type {e.IcmpType}"
        : $"{e.Protocol.ToWire()}/{e.Port?.ToString(CultureInfo.InvariantCulture) ?? "?"}";

    public static string Time(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Denials(IEnumerable<DirectionDenial> denials) => string.Join("; ", denials.Select(d =>
        $"{DiffJson.Direction(d.Direction)} of {d.End}: " + (d.DeniedBy is { } r
            ? $"denied by {r}"
            : $"isolated by {string.Join(", ", d.IsolatedBy.Select(p => p.DisplayName))}, no rule allows it")));

    /// <summary>The namespace a connection item is filed under: the destination's, else the source's, else "(outside the cluster)".</summary>
    public static string Namespace(EdgeKey e) => e.Destination.Namespace ?? e.Source.Namespace ?? "(outside the cluster)";

    public static string Window(DiffSummary s) =>
        $"{Time(s.RequestedSince ?? s.FirstSeen)} .. {Time(s.RequestedUntil ?? s.LastSeen)} (data {Time(s.FirstSeen)} .. {Time(s.LastSeen)})";

    public static string Gaps(WindowGaps g) => !g.Any
        ? "none recorded"
        : string.Join("; ", new[]
        {
            g.LostEvents > 0 ? $"{g.LostEvents} lost events on {string.Join(", ", g.LostEventNodes)}" : null,
            g.UnavailableNodes.Count > 0 ? $"unavailable nodes: {string.Join(", ", g.UnavailableNodes)}" : null,
            g.Gaps.Count > 0 ? $"{g.Gaps.Count} gaps: {string.Join(", ", g.Gaps.Select(x => $"{x.Source}{(x.Node is null ? "" : "/" + x.Node)} {Time(x.From)}..{Time(x.To)} ({x.Reason})"))}" : null,
        }.OfType<string>());
}
