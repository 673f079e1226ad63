using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Inference.Ingest.Calico.Tests.Kafka;

/// <summary>
/// librdkafka's in-process mock cluster: a client built with <c>test.mock.num.brokers=1</c> starts it and logs its
/// <c>bootstrap.servers=</c> address (facility MOCK). The cluster lives as long as this producer.
/// </summary>
internal sealed partial class MockKafka : IDisposable
{
    private readonly IProducer<byte[]?, byte[]> _producer;

    static MockKafka()
    {
        // the mock functions live in the librdkafka Confluent's package ships: load that very file, not a system one
        NativeLibrary.SetDllImportResolver(typeof(MockKafka).Assembly, (name, _, _) =>
        {
            if (name != "librdkafka")
            {
                return IntPtr.Zero;
            }

            // Confluent tries librdkafka.so and falls back to the centos8 build (no libsasl2 needed); so do we
            var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
            foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
            {
                var path = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", file);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    return handle;
                }
            }

            return IntPtr.Zero;
        });
    }

    private MockKafka(IProducer<byte[]?, byte[]> producer, string bootstrap)
    {
        _producer = producer;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; }

    public static MockKafka Start()
    {
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = "localhost:1", LingerMs = 5 }
                .Concat([new KeyValuePair<string, string>("test.mock.num.brokers", "1")]))
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
        if (!address.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            producer.Dispose();
            throw new InvalidOperationException("the mock cluster did not log its address");
        }

        return new MockKafka(producer, address.Task.Result);
    }

    /// <summary>The mock cluster has no controller for CreateTopics: its own call creates the topic.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        var rc = rd_kafka_mock_topic_create(rd_kafka_handle_mock_cluster(RawHandle(_producer)), topic, partitions, 1);
        if (rc != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create failed: {rc}");
        }
    }

    /// <summary>Produces the messages, keyed round-robin over <paramref name="partitions"/> so partitions interleave.</summary>
    public void Produce(string topic, IEnumerable<string> messages, int partitions = 1)
    {
        var i = 0;
        foreach (var m in messages)
        {
            _producer.Produce(new TopicPartition(topic, new Partition(i++ % partitions)), new Message<byte[]?, byte[]> { Value = System.Text.Encoding.UTF8.GetBytes(m) });
            if (i % 10_000 == 0)
            {
                _producer.Flush(TimeSpan.FromSeconds(30));
            }
        }

        _producer.Flush(TimeSpan.FromSeconds(30));
    }

    /// <summary>Takes the (only) broker down or brings it back: a broker outage the consumer must survive.</summary>
    public void SetBrokerUp(bool up)
    {
        var cluster = rd_kafka_handle_mock_cluster(RawHandle(_producer));
        var rc = up ? rd_kafka_mock_broker_set_up(cluster, 1) : rd_kafka_mock_broker_set_down(cluster, 1);
        if (rc != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_broker_set_{(up ? "up" : "down")} failed: {rc}");
        }
    }

    private static IntPtr RawHandle(IClient client)
    {
        // Confluent keeps the rd_kafka_t* in an internal SafeHandle
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Confluent.Kafka.Handle.LibrdkafkaHandle not found");
        return ((SafeHandle)property.GetValue(client.Handle)!).DangerousGetHandle();
    }

    [LibraryImport("librdkafka")]
    private static partial IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

    [LibraryImport("librdkafka", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport("librdkafka")]
    private static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport("librdkafka")]
    private static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    public void Dispose() => _producer.Dispose();
}
