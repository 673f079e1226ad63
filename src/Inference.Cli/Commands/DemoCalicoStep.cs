using System.Text;
using Confluent.Kafka;
using Inference.Cli.Hosting;
using Inference.Ingest.Calico.Kafka;
using Inference.Store;
using Inference.Store.Writing;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Commands;

/// <summary>
/// The demo's Calico step: the bundled Felix records go through librdkafka's in-process mock broker and the real
/// consumer (group, commits, dead letters) into the demo store, beside the Hubble captures.
/// </summary>
internal static class DemoCalicoStep
{
    public static async Task RunAsync(InferenceStore store, string samples, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var file = Path.Combine(samples, "calico", "flows.ndjson");
        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"warning: no Calico sample records at {file}; skipping the Calico step".AsMemory(), cancellationToken);
            return;
        }

        var lines = (await File.ReadAllLinesAsync(file, cancellationToken)).Where(l => l.Length > 0).ToList();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig { BootstrapServers = "localhost:1", LingerMs = 5 }.Concat([new KeyValuePair<string, string>("test.mock.num.brokers", "1")]);
        using var producer = new ProducerBuilder<Null, byte[]>(config)
            .SetLogHandler((_, m) =>
            {
                // the mock cluster logs the address it listens on
                var at = m.Message.IndexOf("bootstrap.servers=", StringComparison.Ordinal);
                if (m.Facility == "MOCK")
                {
                    var text = at >= 0 ? m.Message[(at + "bootstrap.servers=".Length)..] : m.Message[(m.Message.LastIndexOf(' ') + 1)..];
                    address.TrySetResult(text.Split(' ', ',')[0].Trim());
                }
            })
            .Build();
        var brokers = await address.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        foreach (var line in lines)
        {
            producer.Produce("calico-flows", new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(line) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await output.WriteLineAsync($"Producing {lines.Count} bundled Calico flow-log records to an in-process mock Kafka broker ({brokers}) and consuming them".AsMemory(), cancellationToken);

        using var loggers = CliLoggerProvider.CreateFactory(error, LogLevel.Error);
        var writer = new StoreWriter(store);
        var options = new CalicoIngestOptions { Brokers = brokers, Topic = "calico-flows", Group = "inference-demo", FromBeginning = true, IdleTimeout = TimeSpan.FromSeconds(3) };
        CalicoIngestResult result;
        try
        {
            result = await new CalicoKafkaIngest(store, writer, options, loggers.CreateLogger("calico"), TimeProvider.System).RunAsync(cancellationToken);
            await writer.CompleteAsync();
        }
        finally
        {
            await writer.DisposeAsync();
        }

        await output.WriteLineAsync($"  calico-flows: {result.Records} records, {result.DeadLetters} malformed messages kept as dead letters".AsMemory(), cancellationToken);
    }
}
