namespace Inference.Ingest.Hubble.Decoding;

/// <summary>Drop reason names for the numeric codes (unknown codes keep their number: proto3 enums are open).</summary>
internal static class DropReasons
{
    private static readonly Dictionary<int, string> Names = Cilium.Flow.FlowReflection.Descriptor.EnumTypes
        .Single(e => e.Name == "DropReason").Values.ToDictionary(v => v.Number, v => v.Name);

    public static string Name(int code) =>
        Names.TryGetValue(code, out var name) ? name : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal static class LostSources
{
    public static string Name(int code) => code switch
    {
        1 => "PERF_EVENT_RING_BUFFER",
        2 => "OBSERVER_EVENTS_QUEUE",
        3 => "HUBBLE_RING_BUFFER",
        _ => "UNKNOWN_LOST_EVENT_SOURCE",
    };
}

internal static class NodeStates
{
    public static string Name(int code) => code switch
    {
        1 => "NODE_CONNECTED",
        2 => "NODE_UNAVAILABLE",
        3 => "NODE_GONE",
        4 => "NODE_ERROR",
        _ => "UNKNOWN_NODE_STATE",
    };
}

internal static class ObservationPoints
{
    public static int Parse(ReadOnlySpan<byte> name) =>
        Enum.TryParse<Cilium.Flow.TraceObservationPoint>(System.Text.Encoding.ASCII.GetString(name).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var point)
            ? (int)point
            : 0;
}

internal static class HttpPaths
{
    /// <summary>The path of an HTTP URL without query string (query values are user data, not policy).</summary>
    public static string PathOf(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "";
        }

        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return uri.AbsolutePath;
        }

        var q = url.IndexOfAny(['?', '#']);
        return q < 0 ? url : url[..q];
    }
}
