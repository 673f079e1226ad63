namespace Inference.Ingest.Calico.Kafka;

/// <summary>
/// librdkafka properties from <c>--kafka-config KEY=VALUE</c> and <c>--kafka-config-file</c> (later entries win).
/// Values may be secrets (SASL passwords, key passwords): errors name the entry, never its value, and
/// <see cref="Redact"/> scrubs them from any text before it is logged.
/// </summary>
public sealed class KafkaSettings
{
    private static readonly string[] SecretMarkers = ["password", "secret", "token", "jaas", "key.pem", "keystore", "credentials"];
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Values => _values;

    public static KafkaSettings Parse(IEnumerable<string> entries, string? file)
    {
        var settings = new KafkaSettings();
        if (file is not null)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (IOException ex)
            {
                throw new ArgumentException($"cannot read --kafka-config-file {file}: {ex.Message}", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new ArgumentException($"cannot read --kafka-config-file {file}: {ex.Message}", ex);
            }

            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                settings.Add(line, $"{file}:{i + 1}");
            }
        }

        var n = 0;
        foreach (var entry in entries)
        {
            settings.Add(entry, $"--kafka-config #{++n}");
        }

        return settings;
    }

    /// <summary>Whether a property's value must never be shown.</summary>
    public static bool IsSecret(string key) => SecretMarkers.Any(m => key.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>The keys, with secret values replaced: what may be logged.</summary>
    public string Describe() => string.Join(", ", _values.Select(kv => IsSecret(kv.Key) ? $"{kv.Key}=***" : $"{kv.Key}={kv.Value}"));

    /// <summary>Replaces every secret value occurring in <paramref name="text"/> (librdkafka errors can quote values).</summary>
    public string Redact(string text)
    {
        foreach (var (key, value) in _values)
        {
            if (IsSecret(key) && value.Length > 0)
            {
                text = text.Replace(value, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    private void Add(string entry, string where)
    {
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            // the entry itself may be a secret typed without its key: do not echo it
            throw new ArgumentException($"{where}: expected KEY=VALUE (a librdkafka property such as sasl.mechanism=PLAIN)");
        }

        _values[entry[..eq].Trim()] = entry[(eq + 1)..].Trim();
    }
}
