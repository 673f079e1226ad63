using System.CommandLine;
using Inference.Cli.Hosting;
using Inference.Ingest.Calico.Bridge;
using Inference.Ingest.Calico.Kafka;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Commands;

/// <summary><c>inference bridge goldmane</c>: Calico open source's flows (Goldmane gRPC) into Kafka, for `ingest calico`.</summary>
internal static class BridgeCommand
{
    public static Command Create()
    {
        var command = new Command("bridge", "Carry flows from a source without a Kafka output into Kafka");
        command.Subcommands.Add(Goldmane());
        return command;
    }

    private static Command Goldmane()
    {
        var goldmane = new Option<string>("--goldmane") { Description = "Goldmane address HOST:PORT (mTLS), e.g. goldmane.calico-system.svc:7443", Required = true, HelpName = "HOST:PORT" };
        var caFiles = new Option<string[]>("--tls-ca-cert-files") { Description = "PEM files of the CAs to trust (goldmane-key-pair's ca.crt); repeatable", AllowMultipleArgumentsPerToken = true };
        var clientCert = new Option<string?>("--tls-client-cert-file") { Description = "Client certificate (PEM) for mTLS, e.g. node-certs' tls.crt" };
        var clientKey = new Option<string?>("--tls-client-key-file") { Description = "Client key (PEM) for mTLS" };
        var serverName = new Option<string?>("--tls-server-name") { Description = "The server name to verify (default: the host of --goldmane)" };
        var brokers = new Option<string>("--brokers") { Description = "Kafka bootstrap servers HOST:PORT[,...]", Required = true, HelpName = "HOST:PORT" };
        var topic = new Option<string>("--topic") { Description = "Topic to produce to, one flow per message (protojson)", Required = true };
        var config = new Option<string[]>("--kafka-config") { Description = "A librdkafka property KEY=VALUE; repeatable; values are never logged", HelpName = "KEY=VALUE" };
        var configFile = new Option<string?>("--kafka-config-file") { Description = "A file of librdkafka properties, KEY=VALUE per line", HelpName = "PATH" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (default: until SIGTERM or Ctrl-C)" };
        var since = new Option<string?>("--since") { Description = "First run only (an empty topic): flows since this long ago, at most Goldmane's hour (e.g. 30m); default now" };

        var command = new Command("goldmane", "Stream Goldmane flows (Calico open source 3.30+) into Kafka until stopped; a restart resumes without gaps or duplicates");
        foreach (var option in new Option[] { goldmane, caFiles, clientCert, clientKey, serverName, brokers, topic, config, configFile, duration, since })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            KafkaSettings settings;
            try
            {
                settings = KafkaSettings.Parse(parseResult.GetValue(config) ?? [], parseResult.GetValue(configFile));
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message, 2, ex);
            }

            var options = new GoldmaneBridgeOptions
            {
                Goldmane = parseResult.GetValue(goldmane)!,
                TlsCaCertFiles = parseResult.GetValue(caFiles) ?? [],
                TlsClientCertFile = parseResult.GetValue(clientCert),
                TlsClientKeyFile = parseResult.GetValue(clientKey),
                TlsServerName = parseResult.GetValue(serverName),
                Brokers = parseResult.GetValue(brokers)!,
                Topic = parseResult.GetValue(topic)!,
                Kafka = settings,
                Duration = parseResult.GetValue(duration) is { } d ? IngestHubbleCommand.Duration(d, "--duration") : null,
                StartTime = parseResult.GetValue(since) is { } s ? DateTimeOffset.UtcNow.Add(-IngestHubbleCommand.Duration(s, "--since")).ToUnixTimeSeconds() : 0,
            };

            using var loggers = CliLoggerProvider.CreateFactory(parseResult.InvocationConfiguration.Error);
            GoldmaneBridgeResult result;
            try
            {
                result = await new GoldmaneBridge(options, loggers.CreateLogger("bridge"), TimeProvider.System).RunAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
            {
                throw new CliException(settings.Redact(ex.Message), 1, ex);
            }

            await parseResult.InvocationConfiguration.Output.WriteLineAsync(
                $"goldmane {options.Goldmane} -> {options.Topic}: {result.Produced} flows produced, {result.SkippedAlreadyProduced} already in the topic skipped ({result.StopReason})");
            return 0;
        });
        return command;
    }
}
