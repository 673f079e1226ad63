namespace Inference.Ingest.Calico.Kafka;

/// <summary>
/// A message handed from the Kafka thread to the parser, or a barrier asking the parser to store what it has. They travel
/// in arrays of up to <see cref="KafkaItems.SendChunk"/>, so a full channel wakes the Kafka thread once per array, not per message.
/// </summary>
internal readonly record struct KafkaItem(string Topic, int Partition, long Offset, byte[]? Value, TaskCompletionSource? Barrier);

internal static class KafkaItems
{
    public const int SendChunk = 256;

    /// <summary>A channel that buffers about <paramref name="messages"/> messages in arrays.</summary>
    public static System.Threading.Channels.Channel<KafkaItem[]> Channel(int messages) =>
        System.Threading.Channels.Channel.CreateBounded<KafkaItem[]>(new System.Threading.Channels.BoundedChannelOptions(Math.Max(1, messages / SendChunk))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        });
}
