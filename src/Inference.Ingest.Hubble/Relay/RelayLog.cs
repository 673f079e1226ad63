using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Hubble.Relay;

internal static partial class RelayLog
{
    [LoggerMessage(1001, LogLevel.Information, "Streaming flows from Hubble Relay {Address} since {Since}")]
    public static partial void Connecting(ILogger logger, string address, string since);

    [LoggerMessage(1002, LogLevel.Warning, "Hubble Relay {Address} went away ({Reason}); reconnecting in {Delay}")]
    public static partial void Reconnecting(ILogger logger, string address, string reason, TimeSpan delay);

    [LoggerMessage(1003, LogLevel.Warning, "Hubble Relay reports node {Node} {State}: {Message}")]
    public static partial void NodeStatus(ILogger logger, string node, string state, string? message);

    [LoggerMessage(1004, LogLevel.Warning, "Hubble lost {Count} events on {Node} ({Source}): the window has a hole there")]
    public static partial void LostEvents(ILogger logger, long count, string node, string source);

    [LoggerMessage(1005, LogLevel.Warning, "No flows between {From} and {To} {When}: if traffic flowed then, the relay's ring buffer no longer held it (recorded as a data gap)")]
    public static partial void Gap(ILogger logger, DateTimeOffset from, DateTimeOffset to, string when);

    [LoggerMessage(1006, LogLevel.Warning, "Skipping a GetFlows response that could not be decoded: {Reason}")]
    public static partial void Undecodable(ILogger logger, string reason);

    [LoggerMessage(1007, LogLevel.Warning, "Cannot stream from Hubble Relay {Address} ({Reason}); retrying in {Delay}")]
    public static partial void Unreachable(ILogger logger, string address, string reason, TimeSpan delay);
}
