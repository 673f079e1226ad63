using Inference.Ingest.Calico.Records;

namespace Inference.Ingest.Calico.Kafka;

/// <summary>
/// A run of consecutive messages parsed together on a worker (parsing is most of the work and needs no shared state);
/// the flows and bad lines are then counted in message order by the single counting stage.
/// </summary>
internal sealed class ParseChunk(int capacity)
{
    public List<KafkaItem> Items { get; } = new(capacity);

    /// <summary>All flows of the chunk, in message order.</summary>
    public List<CalicoFlow> Flows { get; } = new(capacity);

    /// <summary>Bad lines: the message's index in <see cref="Items"/>, its line and why.</summary>
    public List<(int Item, int Line, string Reason)> Errors { get; } = [];

    public void Parse()
    {
        var errors = new List<(int Line, string Reason)>();
        for (var i = 0; i < Items.Count; i++)
        {
            errors.Clear();
            RecordReader.Read(Items[i].Value ?? [], Flows, errors);
            foreach (var (line, reason) in errors)
            {
                Errors.Add((i, line, reason));
            }
        }
    }
}
