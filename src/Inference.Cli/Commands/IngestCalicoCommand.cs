using System.CommandLine;
using Inference.Cli.Hosting;
using Inference.Ingest.Calico.Kafka;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Commands;

/// <summary><c>inference ingest calico --brokers HOST:PORT --topic TOPIC --group GROUP</c>: Calico flow logs (Felix records, Goldmane flows) from Kafka.</summary>
internal static class IngestCalicoCommand
{
    public static Command Create()
    {
        var brokers = new Option<string>("--brokers") { Description = "Kafka bootstrap servers HOST:PORT[,HOST:PORT...]", Required = true, HelpName = "HOST:PORT" };
        var topic = new Option<string>("--topic") { Description = "Topic the shipper (Fluent Bit, Vector) or `inference bridge goldmane` produces to", Required = true };
        var group = new Option<string>("--group") { Description = "Consumer group; offsets are committed only after a batch is stored", Required = true };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "A group with no committed offset starts at the oldest message (default: the newest)" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (15s, 5m, 2h)" };
        var idle = new Option<string?>("--idle-timeout") { Description = "Stop after this long with no message (15s, 5m)" };
        var config = new Option<string[]>("--kafka-config") { Description = "A librdkafka property KEY=VALUE (SASL, SSL, timeouts); repeatable; values are never logged", AllowMultipleArgumentsPerToken = false, HelpName = "KEY=VALUE" };
        var configFile = new Option<string?>("--kafka-config-file") { Description = "A file of librdkafka properties, KEY=VALUE per line (# comments); --kafka-config wins", HelpName = "PATH" };
        var bucket = new Option<string>("--bucket") { Description = "Time bucket edges are counted in (both reporters of a bucket count once)", DefaultValueFactory = _ => "1h" };

        var command = new Command("calico", "Consume Calico flow logs (Felix flows.log records or Goldmane flows, one per message) from Kafka until stopped");
        foreach (var option in new Option[] { brokers, topic, group, fromBeginning, duration, idle, config, configFile, bucket })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            KafkaSettings settings;
            try
            {
                settings = KafkaSettings.Parse(parseResult.GetValue(config) ?? [], parseResult.GetValue(configFile));
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message, 2, ex);
            }

            var options = new CalicoIngestOptions
            {
                Brokers = parseResult.GetValue(brokers)!,
                Topic = parseResult.GetValue(topic)!,
                Group = parseResult.GetValue(group)!,
                FromBeginning = parseResult.GetValue(fromBeginning),
                Duration = parseResult.GetValue(duration) is { } d ? IngestHubbleCommand.Duration(d, "--duration") : null,
                IdleTimeout = parseResult.GetValue(idle) is { } i ? IngestHubbleCommand.Duration(i, "--idle-timeout") : null,
                Bucket = IngestHubbleCommand.Duration(parseResult.GetValue(bucket)!, "--bucket"),
                Kafka = settings,
            };

            using var store = StoreAccess.Open(parseResult, readOnly: false);
            using var loggers = CliLoggerProvider.CreateFactory(error);
            CalicoIngestResult result;
            var writer = new StoreWriter(store);
            try
            {
                result = await new CalicoKafkaIngest(store, writer, options, loggers.CreateLogger("calico"), TimeProvider.System).RunAsync(cancellationToken);
                await writer.CompleteAsync();
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message, 2, ex);
            }
            finally
            {
                await writer.DisposeAsync();
            }

            store.Checkpoint();
            await output.WriteLineAsync(
                $"{options.SourceName}: {result.Messages} messages, {result.Records} records, {result.DeadLetters} dead letters, " +
                $"{result.Redelivered} redelivered messages skipped ({result.StopReason}); store {store.Path}");
            return 0;
        });
        return command;
    }
}
