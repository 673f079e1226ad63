using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using YamlDotNet.RepresentationModel;

namespace Inference.Cli.Serve;

/// <summary>Reads <see cref="ServeOptions"/>: YAML file, then INFERENCE_* variables, then flags (later wins: flags &gt; environment &gt; file).</summary>
internal static partial class ServeConfiguration
{
    public const string EnvironmentPrefix = "INFERENCE_";

    /// <summary>
    /// Loads the options; every error is one line naming the key and where its value came from (the file, the
    /// <c>INFERENCE_*</c> variable or the flag). Only a number or boolean that does not parse is quoted: the free-form
    /// Kafka settings (where secrets live) are strings and never fail to bind.
    /// </summary>
    public static ServeOptions Load(string? file, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new CliException($"--config {file}: no such file");
            }

            var values = FlattenYaml(File.ReadAllText(file), file);
            // a misspelt key would otherwise be ignored without a word (relay: instead of relays:)
            if (values.Keys.Where(k => !IsKnown(typeof(ServeOptions), k.Split(':'))).Order(StringComparer.Ordinal).FirstOrDefault() is { } unknown)
            {
                // name the first part nobody knows: relay, not relay[0].address
                var parts = unknown.Split(':');
                var depth = Enumerable.Range(1, parts.Length).First(n => !IsKnown(typeof(ServeOptions), parts.AsSpan(0, n)));
                throw new CliException($"{file}: {Display(string.Join(':', parts[..depth]))}: unknown key (see the README's inference.yaml)", 2);
            }

            builder.AddInMemoryCollection(values);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(flags);
        var root = builder.Build();
        var options = new ServeOptions();
        try
        {
            root.Bind(options);
        }
        catch (InvalidOperationException ex) when (BindFailure().Match(ex.Message) is { Success: true } m)
        {
            var key = m.Groups["key"].Value;
            throw new CliException($"{Where(root, file, key)}: {Display(key)}: \"{m.Groups["value"].Value}\" is not {Expected(m.Groups["type"].Value)}", 2, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"serve configuration: {ex.Message}", 2, ex);
        }

        Validate(options, key => Where(root, file, key));
        return options;
    }

    private static void Validate(ServeOptions o, Func<string, string> where)
    {
        for (var i = 0; i < o.Relays.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.Relays[i].Address))
            {
                Fail(where, $"relays:{i}:address", "a relay needs an address (relays: - address: hubble-relay:4245)");
            }
        }

        for (var i = 0; i < o.Kafka.Count; i++)
        {
            foreach (var (key, _) in new[] { ("brokers", o.Kafka[i].Brokers), ("topic", o.Kafka[i].Topic) }.Where(kv => string.IsNullOrWhiteSpace(kv.Item2)))
            {
                Fail(where, $"kafka:{i}:{key}", "a kafka source needs brokers and topic");
            }
        }

        if (o.Retention.HourlyDays < 1)
        {
            Fail(where, "retention:hourlyDays", "must be at least 1");
        }

        // zero or negative durations would make a failing ingester restart in a tight loop, or never let a stop finish
        foreach (var (key, value) in new[] { ("restartInitialSeconds", o.RestartInitialSeconds), ("restartMaxSeconds", o.RestartMaxSeconds),
            ("shutdownSeconds", o.ShutdownSeconds), ("retention:intervalMinutes", o.Retention.IntervalMinutes) })
        {
            if (!(value > 0))
            {
                Fail(where, key, "must be more than 0");
            }
        }

        if (o.RestartMaxSeconds < o.RestartInitialSeconds)
        {
            Fail(where, "restartMaxSeconds", "must be at least restartInitialSeconds");
        }

        try
        {
            _ = Export.Formats.Parse(o.Format);
        }
        catch (CliException ex)
        {
            Fail(where, "format", ex.Message);
        }
    }

    private static void Fail(Func<string, string> where, string key, string problem) =>
        throw new CliException($"{where(key)}: {Display(key)}: {problem}", 2);

    /// <summary>
    /// Where a key's value came from: the last source that sets it wins (flags, then INFERENCE_*, then the file). A key
    /// that is missing is placed by its nearest parent someone set (the list item lacking a topic).
    /// </summary>
    private static string Where(IConfigurationRoot root, string? file, string key)
    {
        var providers = root.Providers.ToList();
        for (var path = key; path.Length > 0; path = path.LastIndexOf(':') is var at and > 0 ? path[..at] : "")
        {
            for (var i = providers.Count - 1; i >= 0; i--)
            {
                if (!providers[i].TryGet(path, out _) && !providers[i].GetChildKeys([], path).Any())
                {
                    continue;
                }

                return providers[i] switch
                {
                    EnvironmentVariablesConfigurationProvider => EnvironmentPrefix + path.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(),
                    _ when i == providers.Count - 1 => "command line",
                    _ => file ?? "serve configuration",
                };
            }
        }

        return "serve configuration (default)";
    }

    /// <summary><c>relays:0:address</c> as a person reads it: <c>relays[0].address</c>.</summary>
    private static string Display(string key) =>
        string.Join("", key.Split(':').Select((part, i) => int.TryParse(part, out _) ? $"[{part}]" : (i == 0 ? "" : ".") + CamelCase(part)));

    /// <summary>The binder reports C# property names (<c>HourlyDays</c>); the file spells them <c>hourlyDays</c>.</summary>
    private static string CamelCase(string name) => name.Length > 0 && char.IsUpper(name[0]) ? char.ToLowerInvariant(name[0]) + name[1..] : name;

    private static string Expected(string type) => type switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" => "a number",
        "System.Boolean" => "true or false",
        _ => "a " + type,
    };

    /// <summary>Whether a flattened key names a setting (list items by index; kafka settings are free-form librdkafka keys).</summary>
    private static bool IsKnown(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return true;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return true;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(path[0], out _) && IsKnown(type.GetGenericArguments()[0], path[1..]);
        }

        var property = type.GetProperty(path[0], System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
        return property is not null && IsKnown(property.PropertyType, path[1..]);
    }

    [GeneratedRegex(@"configuration value '(?<value>[^']*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex BindFailure();

    /// <summary>YAML mappings and sequences as configuration keys (<c>relays:0:address</c>).</summary>
    public static Dictionary<string, string?> FlattenYaml(string text, string name)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CliException($"{name}: not valid YAML at line {ex.Start.Line}: {ex.Message}", 2, ex);
        }

        if (stream.Documents.Count > 0)
        {
            Walk(stream.Documents[0].RootNode, "", result);
        }

        return result;
    }

    private static void Walk(YamlNode node, string prefix, Dictionary<string, string?> result)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    Walk(v, prefix.Length == 0 ? ((YamlScalarNode)k).Value! : prefix + ":" + ((YamlScalarNode)k).Value, result);
                }

                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    Walk(seq.Children[i], prefix + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), result);
                }

                break;
            case YamlScalarNode scalar:
                result[prefix] = scalar.Value;
                break;
        }
    }
}
