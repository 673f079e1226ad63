using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Inference.Cli.Serve;

/// <summary>Reads <see cref="ServeOptions"/>: YAML file, then INFERENCE_* variables, then flags (later wins).</summary>
internal static class ServeConfiguration
{
    public const string EnvironmentPrefix = "INFERENCE_";

    public static ServeOptions Load(string? file, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new CliException($"--config {file}: no such file");
            }

            builder.AddInMemoryCollection(FlattenYaml(File.ReadAllText(file), file));
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(flags);
        var options = new ServeOptions();
        try
        {
            builder.Build().Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"serve configuration: {ex.Message}", 2, ex);
        }

        Validate(options);
        return options;
    }

    private static void Validate(ServeOptions o)
    {
        foreach (var r in o.Relays.Where(r => string.IsNullOrWhiteSpace(r.Address)))
        {
            throw new CliException("serve configuration: a relay needs an address (relays: - address: hubble-relay:4245)", 2);
        }

        foreach (var k in o.Kafka.Where(k => string.IsNullOrWhiteSpace(k.Brokers) || string.IsNullOrWhiteSpace(k.Topic)))
        {
            throw new CliException("serve configuration: a kafka source needs brokers and topic", 2);
        }

        if (o.Retention.HourlyDays < 1)
        {
            throw new CliException("serve configuration: retention.hourlyDays must be at least 1", 2);
        }

        _ = Export.Formats.Parse(o.Format);
    }

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
