using System.Text.Json;
using Inference.Testing;

namespace Inference.Cli.Tests.Serve;

/// <summary>
/// Where serve's settings come from: the YAML file, INFERENCE_* variables and flags, flags winning over variables over the
/// file; a bad value is one line naming the key and its source; Kafka credentials never leave the process.
/// </summary>
public sealed class ServeConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-serve-config-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Flags_win_over_environment_variables_which_win_over_the_file()
    {
        var (fileDb, envDb, flagDb) = (_dir.File("file.duckdb"), _dir.File("env.duckdb"), _dir.File("flag.duckdb"));
        var config = _dir.File("inference.yaml");
        await File.WriteAllTextAsync(config, $"""
            db: {fileDb}
            listen: not-an-address
            relays:
              - address: 127.0.0.1:1
            kafka:
              - brokers: 127.0.0.1:1
                topic: from-file
            """);
        var environment = new Dictionary<string, string>
        {
            ["INFERENCE_DB"] = envDb,
            ["INFERENCE_LISTEN"] = "127.0.0.1:0",
            ["INFERENCE_RELAYS__0__ADDRESS"] = "127.0.0.1:2",
        };

        using var serve = await ServeProcess.StartAsync(["--config", config, "--db", flagDb], environment);

        // db: flag over variable over file; listen: variable over the file's unusable value
        Assert.Contains($"store {flagDb})", serve.Output, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", serve.Url.Host);
        using var http = new HttpClient { BaseAddress = serve.Url, Timeout = ServeProcess.Patience };
        using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
        var sources = status.RootElement.GetProperty("ingesters").EnumerateArray().Select(i => i.GetProperty("source").GetString()!).Order(StringComparer.Ordinal).ToArray();
        // relays[0].address from the variable, the kafka source from the file alone
        Assert.Equal(new[] { "hubble-relay:127.0.0.1:2", "kafka:from-file" }, sources);
        Assert.Equal(0, await serve.TerminateAsync());
        Assert.True(File.Exists(flagDb));
        Assert.False(File.Exists(envDb) || File.Exists(fileDb));
    }

    [Theory]
    [InlineData("retention: {hourlyDays: lots}", "retention.hourlyDays: \"lots\" is not a whole number")]
    [InlineData("restartInitialSeconds: 0", "restartInitialSeconds: must be more than 0")]
    [InlineData("openReads: maybe", "openReads: \"maybe\" is not true or false")]
    [InlineData("format: yaml", "format: unknown format 'yaml'")]
    [InlineData("relays: [{address: ''}]", "relays[0].address: a relay needs an address")]
    [InlineData("kafka: [{brokers: kafka:9092}]", "kafka[0].topic: a kafka source needs brokers and topic")]
    [InlineData("relay: [{address: relay:4245}]", "relay: unknown key")]
    [InlineData("retention: {hourlyDay: 3}", "retention.hourlyDay: unknown key")]
    public async Task A_bad_value_in_the_file_is_one_line_naming_the_file_and_the_key(string yaml, string expected)
    {
        var config = _dir.File("inference.yaml");
        await File.WriteAllTextAsync(config, yaml);

        var (code, output, error) = await Foundation.CliRunner.RunAsync("serve", "--config", config, "--db", _dir.File("x.duckdb"), "--listen", "127.0.0.1:0");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.True(line.StartsWith($"error: {config}: {expected}", StringComparison.Ordinal), line);
        Assert.False(File.Exists(_dir.File("x.duckdb")), "nothing is opened before the configuration is valid");
    }

    [Fact]
    public async Task A_bad_value_in_a_variable_names_the_variable()
    {
        var environment = new Dictionary<string, string> { ["INFERENCE_RETENTION__HOURLYDAYS"] = "soon" };

        using var serve = await ServeProcess.StartAsync(["--db", _dir.File("x.duckdb"), "--listen", "127.0.0.1:0"], environment, waitUntilListening: false);

        Assert.Equal(2, await serve.WaitForExitAsync());
        Assert.Equal("error: INFERENCE_RETENTION__HOURLYDAYS: retention.hourlyDays: \"soon\" is not a whole number", serve.Error.TrimEnd());
    }

    [Fact]
    public async Task Kafka_credentials_from_the_file_or_a_variable_never_reach_the_logs_the_api_or_the_metrics()
    {
        const string FilePassword = "file-pw-7c1e9a";
        const string VariablePassword = "env-pw-51b2d0";
        var config = _dir.File("inference.yaml");
        await File.WriteAllTextAsync(config, $"""
            kafka:
              - brokers: 127.0.0.1:1
                topic: flows
                settings:
                  security.protocol: SASL_PLAINTEXT
                  sasl.mechanism: PLAIN
                  sasl.username: inference
                  sasl.password: {FilePassword}
            """);
        var environment = new Dictionary<string, string> { ["INFERENCE_KAFKA__0__SETTINGS__ssl.key.password"] = VariablePassword };

        string seen;
        using (var serve = await ServeProcess.StartAsync(["--config", config, "--db", _dir.File("s.duckdb"), "--listen", "127.0.0.1:0"], environment))
        {
            // the consumer described its settings and failed to reach the broker: where a password could be printed
            using var http = new HttpClient { BaseAddress = serve.Url, Timeout = ServeProcess.Patience };
            await ServeProcess.EventuallyAsync(async () =>
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
                var kafka = status.RootElement.GetProperty("ingesters").EnumerateArray().Single();
                return kafka.GetProperty("state").GetString() == "reconnecting" && kafka.GetProperty("lastError").GetString()!.Length > 0 ? (bool?)true : null;
            }, "the kafka ingester to report the unreachable broker", serve.DescribeAsync);
            Assert.Contains("consuming flows from", serve.Error, StringComparison.Ordinal);
            var pages = new List<string>();
            foreach (var path in new[] { "/api/status", "/metrics", "/healthz", "/api/review", "/" })
            {
                pages.Add(await http.GetStringAsync(path));
            }

            Assert.Equal(0, await serve.TerminateAsync());
            seen = string.Join("\n", [serve.Output, serve.Error, .. pages]);
            Assert.Contains("sasl.password=***", serve.Error, StringComparison.Ordinal);
            Assert.Contains("ssl.key.password=***", serve.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(FilePassword, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(VariablePassword, seen, StringComparison.Ordinal);
    }
}
