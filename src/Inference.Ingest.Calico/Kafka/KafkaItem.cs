namespace Inference.Ingest.Calico.Kafka;

/// <summary>A message handed from the Kafka thread to the parser, or a barrier asking the parser to store what it has.</summary>
internal readonly record struct KafkaItem(string Topic, int Partition, long Offset, byte[]? Value, TaskCompletionSource? Barrier);
