using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Inference.Core.Inference.Yaml;

/// <summary>
/// A minimal block-style YAML writer, streaming to a <see cref="TextWriter"/>: two-space indent, "\n" line ends, and
/// scalars quoted whenever a plain scalar could be read as anything but the same string (numbers, booleans, YAML 1.1
/// yes/no, regex characters). Same input, same bytes.
/// </summary>
internal sealed partial class YamlText
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    private const string Spaces = "                                                                ";
    private readonly TextWriter _writer;

    /// <param name="writer">Where the lines go: a file as it is rendered, or a string.</param>
    public YamlText(TextWriter writer) => _writer = writer;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./-]*(:[A-Za-z0-9_./-]+)*$")]
    private static partial Regex Plain();

    public YamlText Line(int indent, string text)
    {
        Indent(indent);
        _writer.Write(text);
        _writer.Write('\n');
        return this;
    }

    /// <summary>One line from parts: the hot lines (labels, ports, peers) are written without building the line first.</summary>
    public YamlText Line(int indent, string first, string second, string third = "")
    {
        Indent(indent);
        _writer.Write(first);
        _writer.Write(second);
        _writer.Write(third);
        _writer.Write('\n');
        return this;
    }

    private void Indent(int indent)
    {
        for (var n = indent * 2; n > 0; n -= Spaces.Length)
        {
            _writer.Write(Spaces.AsSpan(0, Math.Min(n, Spaces.Length)));
        }
    }

    public YamlText Comment(int indent, string text) => Line(indent, "# " + text.Replace('\n', ' '));

    public static string Scalar(string value) =>
        Plain().IsMatch(value) && !Reserved.Contains(value) ? value : Quote(value);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double-quoted scalar with JSON-style escapes (valid YAML).</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case < ' ':
                    sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
