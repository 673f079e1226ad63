using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>A structural problem in one object (wrong node type, bad number): the object is rejected.</summary>
internal sealed class PolicyFormatException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>Typed reads from YamlDotNet nodes; every failure names the line. Lines are shifted by the document's offset in the file.</summary>
internal sealed class YamlNodes(int lineOffset)
{
    public int Line(YamlNode node) => (int)node.Start.Line + lineOffset;

    public static bool IsNull(YamlNode? node) => node switch
    {
        null => true,
        YamlScalarNode s => s.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any
            && s.Value is null or "" or "~" or "null" or "Null" or "NULL",
        _ => false,
    };

    public static YamlNode? Get(YamlMappingNode? map, string key)
    {
        if (map is null)
        {
            return null;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    public static bool Has(YamlMappingNode map, string key) => Get(map, key) is not null;

    public static IEnumerable<string> Keys(YamlMappingNode map) =>
        map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public YamlMappingNode? Map(YamlNode? node, string what) => IsNull(node) ? null
        : node as YamlMappingNode ?? throw new PolicyFormatException(Line(node!), $"{what} must be an object");

    public YamlSequenceNode? Seq(YamlNode? node, string what) => IsNull(node) ? null
        : node as YamlSequenceNode ?? throw new PolicyFormatException(Line(node!), $"{what} must be a list");

    public string? Str(YamlNode? node, string what) => IsNull(node) ? null
        : node is YamlScalarNode s ? s.Value ?? "" : throw new PolicyFormatException(Line(node!), $"{what} must be a string");

    public IReadOnlyList<string>? StrList(YamlNode? node, string what) =>
        Seq(node, what)?.Children.Select((c, i) => Str(c, $"{what}[{i}]") ?? "").ToArray();

    public int? Int(YamlNode? node, string what)
    {
        var s = Str(node, what);
        if (s is null)
        {
            return null;
        }

        return int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new PolicyFormatException(Line(node!), $"{what} must be an integer, got '{s}'");
    }

    /// <summary>An IntOrString: a plain number is an int; anything else (quoted numbers too) is a string.</summary>
    public (int? Number, string? Name) IntOrString(YamlNode? node, string what)
    {
        var s = Str(node, what);
        if (s is null)
        {
            return (null, null);
        }

        var quoted = node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted };
        if (!quoted && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            return (v, null);
        }

        return (null, s);
    }

    public bool? Bool(YamlNode? node, string what)
    {
        var s = Str(node, what);
        return s is null ? null : s.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new PolicyFormatException(Line(node!), $"{what} must be true or false, got '{s}'"),
        };
    }

    public IReadOnlyDictionary<string, string> StringMap(YamlNode? node, string what)
    {
        var map = Map(node, what);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (var (k, v) in map.Children)
        {
            var key = Str(k, $"{what} key") ?? "";
            result[key] = Str(v, $"{what}.{key}") ?? "";
        }

        return result;
    }
}
