using System.Globalization;

namespace Inference.Core.Time;

/// <summary>Durations written as the hubble CLI takes them (Go's <c>time.ParseDuration</c>): <c>15s</c>, <c>5m</c>, <c>1h30m</c>, <c>250ms</c>.</summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().AsSpan();
        if (s.SequenceEqual("0"))
        {
            return true;
        }

        double totalMs = 0;
        var any = false;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || s[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(s[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && !char.IsAsciiDigit(s[unitLength]) && s[unitLength] != '.')
            {
                unitLength++;
            }

            double? unitMs = s[..unitLength] switch
            {
                "ns" => 1e-6,
                "us" or "µs" => 1e-3,
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => null,
            };
            if (unitMs is null)
            {
                return false;
            }

            totalMs += value * unitMs.Value;
            s = s[unitLength..];
            any = true;
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return any;
    }

    public static TimeSpan Parse(string text, string optionName) =>
        TryParse(text, out var d) ? d : throw new FormatException($"{optionName}: '{text}' is not a duration (examples: 15s, 5m, 2h, 1h30m)");

    /// <summary>
    /// A point in time given as a duration back from now (<c>2h</c>) or as RFC 3339 (<c>2026-11-20T10:00:00Z</c>).
    /// </summary>
    public static DateTimeOffset ParseTimeOrAgo(string text, string optionName, DateTimeOffset now)
    {
        if (TryParse(text, out var ago))
        {
            return now - ago;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        throw new FormatException($"{optionName}: '{text}' is neither a duration (5m, 2h) nor an RFC 3339 time (2026-11-20T10:00:00Z)");
    }

    public static string Format(TimeSpan d) => d.TotalHours >= 1
        ? $"{(int)d.TotalHours}h{d.Minutes}m{d.Seconds}s"
        : d.TotalMinutes >= 1 ? $"{d.Minutes}m{d.Seconds}s" : $"{d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
