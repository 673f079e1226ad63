using System.Globalization;

namespace Inference.Ingest.Hubble.Decoding;

/// <summary>Parses protojson timestamps (<c>2021-11-10T10:40:56.465597700Z</c>) to nanoseconds since the epoch, keeping all nine digits.</summary>
internal static class Rfc3339
{
    public static bool TryParseNs(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        // fast path: YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z
        if (s.Length >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't') && s[13] == ':' && s[16] == ':' && (s[^1] == 'Z' || s[^1] == 'z'))
        {
            if (Digits(s[..4], out var year) && Digits(s.Slice(5, 2), out var month) && Digits(s.Slice(8, 2), out var day)
                && Digits(s.Slice(11, 2), out var hour) && Digits(s.Slice(14, 2), out var minute) && Digits(s.Slice(17, 2), out var second)
                && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year == 0 ? 1 : year, month) && hour < 24 && minute < 60 && second < 61)
            {
                long fraction = 0;
                var rest = s[19..^1];
                if (!rest.IsEmpty)
                {
                    if (rest[0] != '.' || rest.Length < 2 || rest.Length > 10 || !Digits(rest[1..], out var f))
                    {
                        return false;
                    }

                    fraction = f;
                    for (var i = rest.Length - 1; i < 9; i++)
                    {
                        fraction *= 10;
                    }
                }

                var seconds = (long)(new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
                ns = seconds * 1_000_000_000L + fraction;
                return true;
            }

            return false;
        }

        // offsets other than Z: the slow, general parser
        if (DateTimeOffset.TryParse(System.Text.Encoding.UTF8.GetString(s), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var dto))
        {
            ns = (dto.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
            return true;
        }

        return false;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            if (b < '0' || b > '9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return !s.IsEmpty;
    }
}
