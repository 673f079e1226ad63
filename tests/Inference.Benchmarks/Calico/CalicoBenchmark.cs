using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Inference.Ingest.Calico.Counting;
using Inference.Ingest.Calico.Kafka;
using Inference.Ingest.Calico.Records;
using Inference.Ingest.Calico.Storage;
using Inference.Store;
using Inference.Store.Writing;
using Inference.Testing.Calico;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inference.Benchmarks.Calico;

/// <summary>
/// Calico records (three weeks of the fixture cluster, both reporters) parsed only, then parsed, counted and stored through
/// the consumer's own stage and the store writer, over the same records in one run, no broker. Target: 150k records/s end
/// to end. The rate through librdkafka's mock broker (a correctness broker) is printed for information.
/// </summary>
internal sealed class CalicoBenchmark : IBenchmark
{
    private const double TargetPerSecond = 150_000;

    public string Name => "calico";
    public string Description => "Calico records: parse only vs parse + count + store (no broker), and through the mock broker (information)";

    public async Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var run = CalicoFixture.Generate(intervals: 3 * 2016);
        var messages = run.Messages.Select(m => Encoding.UTF8.GetBytes(m)).ToArray();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {messages.Length:N0} records, {messages.Sum(m => (long)m.Length) / 1_000_000:N0} MB; {Environment.ProcessorCount} cores, load average {LoadAverage()} (a shared machine: compare ratios and CPU time)").AsMemory(), cancellationToken);

        // both paths warmed up alike: the JIT's tiers settle before anything is measured
        var warmUp = messages.Take(20_000).ToArray();
        ParseOnly(warmUp);
        await ParseAndStoreAsync(warmUp);

        var scan = Measure(() => ScanOnly(messages));
        var parse = Measure(() => ParseOnly(messages));
        var count = Measure(() => ParseAndCount(messages));
        var cpu = ProcessCpu();
        var stored = await ParseAndStoreAsync(messages);
        var storedCpu = ProcessCpu() - cpu;
        var perSecond = messages.Length / stored.TotalSeconds;
        await Line(output, "JSON token scan:", messages.Length, scan.Wall, scan.Cpu, "(the floor any JSON reader pays on this machine now)", cancellationToken);
        await Line(output, "parse only:", messages.Length, parse.Wall, parse.Cpu, "(one thread)", cancellationToken);
        await Line(output, "parse+count:", messages.Length, count.Wall, count.Cpu, "(one thread)", cancellationToken);
        await Line(output, "parse+count+store:", messages.Length, stored, storedCpu,
            string.Create(CultureInfo.InvariantCulture, $"(the consumer's stages: parsing on {Environment.ProcessorCount} threads, counting, the store writer)"), cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  end to end: {parse.Wall.TotalSeconds / stored.TotalSeconds:P0} of parse-only speed, {parse.Cpu.TotalSeconds / storedCpu.TotalSeconds:P0} of its CPU efficiency; target {TargetPerSecond:N0} records/s: {(perSecond >= TargetPerSecond ? "met" : "NOT met")}").AsMemory(), cancellationToken);

        var broker = await ThroughMockBrokerAsync(run.Messages.Take(100_000).ToList(), cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  through mock broker: {broker:N0} records/s end to end (information only: librdkafka's mock cluster is a correctness broker)").AsMemory(), cancellationToken);
        return perSecond >= TargetPerSecond;
    }

    private static async Task Line(TextWriter output, string what, int records, TimeSpan wall, TimeSpan cpu, string note, CancellationToken cancellationToken) =>
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-20} {records / wall.TotalSeconds,10:N0} records/s  wall {wall.TotalMilliseconds,6:N0} ms  cpu {cpu.TotalMilliseconds,6:N0} ms ({cpu.TotalMilliseconds * 1000 / records:N1} us/record) {note}").AsMemory(), cancellationToken);

    private static (TimeSpan Wall, TimeSpan Cpu) Measure(Func<TimeSpan> phase)
    {
        var cpu = ProcessCpu();
        var wall = phase();
        return (wall, ProcessCpu() - cpu);
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    /// <summary>Runs one phase (parse, count or store) alone over the benchmark's records, for a profiler.</summary>
    public static async Task<int> ProfileAsync(string phase, TextWriter output)
    {
        var messages = CalicoFixture.Generate(intervals: 3 * 2016).Messages.Select(m => Encoding.UTF8.GetBytes(m)).ToArray();
        var cpu = ProcessCpu();
        var elapsed = phase switch
        {
            "parse" => ParseOnly(messages),
            "count" => ParseAndCount(messages),
            "store" => await ParseAndStoreAsync(messages),
            _ => throw new ArgumentException($"unknown phase '{phase}'; known: parse, count, store"),
        };
        var used = ProcessCpu() - cpu;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{phase}: {messages.Length / elapsed.TotalSeconds:N0} records/s, wall {elapsed.TotalMilliseconds:N0} ms, cpu {used.TotalMilliseconds:N0} ms"));
        return 0;
    }

    private static TimeSpan ScanOnly(byte[][] messages)
    {
        var sw = Stopwatch.StartNew();
        long tokens = 0;
        foreach (var m in messages)
        {
            var reader = new System.Text.Json.Utf8JsonReader(m);
            while (reader.Read())
            {
                tokens++;
            }
        }

        GC.KeepAlive(tokens);
        return sw.Elapsed;
    }

    private static TimeSpan ParseAndCount(byte[][] messages)
    {
        var flows = new List<CalicoFlow>();
        var errors = new List<(int, string)>();
        var counter = new CalicoCounter(TimeSpan.FromHours(1), new IntervalStates());
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < messages.Length; i++)
        {
            flows.Clear();
            RecordReader.Read(messages[i], flows, errors);
            foreach (var f in flows)
            {
                counter.Add(f);
            }

            if (i % 20_000 == 19_999)
            {
                counter.DrainInto(new Inference.Core.Aggregation.IngestBatch { Source = "b", SourceKind = "calico" }, new CalicoBatchRows { Source = "b" });
            }
        }

        return sw.Elapsed;
    }

    private static TimeSpan ParseOnly(byte[][] messages)
    {
        var flows = new List<CalicoFlow>();
        var errors = new List<(int, string)>();
        var sw = Stopwatch.StartNew();
        foreach (var m in messages)
        {
            flows.Clear();
            RecordReader.Read(m, flows, errors);
        }

        return sw.Elapsed;
    }

    private static async Task<TimeSpan> ParseAndStoreAsync(byte[][] messages)
    {
        var dir = Path.Combine(Path.GetTempPath(), "inference-calico-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            using var store = InferenceStore.Open(Path.Combine(dir, "bench.duckdb"));
            CalicoStoreExtension.Register(store);
            await using var writer = new StoreWriter(store);
            var options = new CalicoIngestOptions { Brokers = "none", Topic = "bench", Group = "bench", Bucket = TimeSpan.FromHours(1) };
            var processor = new MessageProcessor(options, writer, new ConcurrentDictionary<(string, int), long>(), new IntervalStates(), _ => { }, NullLogger.Instance, TimeProvider.System);
            var channel = KafkaItems.Channel(options.ChannelCapacity);
            var sw = Stopwatch.StartNew();
            var consume = processor.RunAsync(channel.Reader);
            for (var i = 0; i < messages.Length; i += KafkaItems.SendChunk)
            {
                // as the Kafka thread hands them over: arrays of consecutive messages
                var items = new KafkaItem[Math.Min(KafkaItems.SendChunk, messages.Length - i)];
                for (var j = 0; j < items.Length; j++)
                {
                    items[j] = new KafkaItem("bench", 0, i + j, messages[i + j], null);
                }

                await channel.Writer.WriteAsync(items);
            }

            channel.Writer.Complete();
            await consume;
            await writer.CompleteAsync();
            return sw.Elapsed;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<double> ThroughMockBrokerAsync(List<string> messages, CancellationToken cancellationToken)
    {
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig { BootstrapServers = "localhost:1", LingerMs = 5 }.Concat([new KeyValuePair<string, string>("test.mock.num.brokers", "1")]);
        using var producer = new ProducerBuilder<Null, byte[]>(config)
            .SetLogHandler((_, m) =>
            {
                if (m.Facility == "MOCK")
                {
                    var at = m.Message.IndexOf("bootstrap.servers=", StringComparison.Ordinal);
                    var text = at >= 0 ? m.Message[(at + "bootstrap.servers=".Length)..] : m.Message[(m.Message.LastIndexOf(' ') + 1)..];
                    address.TrySetResult(text.Split(' ', ',')[0].Trim());
                }
            })
            .Build();
        var brokers = await address.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var dir = Path.Combine(Path.GetTempPath(), "inference-calico-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var sw = Stopwatch.StartNew();
            foreach (var m in messages)
            {
                producer.Produce("bench", new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(m) });
            }

            producer.Flush(TimeSpan.FromSeconds(60));
            using var store = InferenceStore.Open(Path.Combine(dir, "bench.duckdb"));
            await using var writer = new StoreWriter(store);
            var options = new CalicoIngestOptions { Brokers = brokers, Topic = "bench", Group = "bench", FromBeginning = true, IdleTimeout = TimeSpan.FromSeconds(2), Bucket = TimeSpan.FromHours(1) };
            var result = await new CalicoKafkaIngest(store, writer, options, NullLogger.Instance, TimeProvider.System).RunAsync(cancellationToken);
            await writer.CompleteAsync();
            // the idle timeout at the end is waiting, not work
            return result.Records / Math.Max(0.001, sw.Elapsed.TotalSeconds - 2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
