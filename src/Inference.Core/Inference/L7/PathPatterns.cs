using System.Text;
using System.Text.RegularExpressions;

namespace Inference.Core.Inference.L7;

/// <summary>
/// Turns an observed HTTP path into the Cilium path regex that allows it and its siblings: numeric, UUID and long hex
/// segments become patterns (<c>/orders/123</c> to <c>/orders/[0-9]+</c>); everything else is matched literally.
/// </summary>
public static partial class PathPatterns
{
    public const string Numeric = "[0-9]+";
    public const string Uuid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    public const string Hex = "[0-9a-fA-F]+";

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex NumericSegment();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidSegment();

    // long enough not to be a word, and with a digit so "deadbeef"-like words and "facade" stay literal
    [GeneratedRegex("^(?=[^0-9]*[0-9])[0-9a-fA-F]{12,}$")]
    private static partial Regex HexSegment();

    /// <summary>What follows every templated path: Envoy matches the regex against the path with its query string.</summary>
    public const string Query = @"(\?.*)?";

    public static string Template(string path)
    {
        // the observed query is dropped; any query on an allowed path is allowed (access is about the path)
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            path = path[..cut];
        }

        if (path.Length == 0)
        {
            path = "/";
        }

        var sb = new StringBuilder();
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                sb.Append('/');
            }

            var s = segments[i];
            sb.Append(s.Length == 0 ? ""
                : NumericSegment().IsMatch(s) ? Numeric
                : UuidSegment().IsMatch(s) ? Uuid
                : HexSegment().IsMatch(s) ? Hex
                : Escape(s));
        }

        return sb.Append(Query).ToString();
    }

    /// <summary>Regex-escapes a literal segment (Cilium paths are extended regular expressions).</summary>
    private static string Escape(string literal)
    {
        var sb = new StringBuilder(literal.Length);
        foreach (var ch in literal)
        {
            if (".^$*+?()[]{}|\\".Contains(ch, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }
}
