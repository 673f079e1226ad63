using Inference.Store;

namespace Inference.Cli.Serve;

/// <summary>
/// What the service's parts share. Two connections on one DuckDB database: <see cref="WriteStore"/> belongs to the
/// ingesters' single writer; <see cref="ReadStore"/> (a second in-process connection, DuckDB.NET shares the database
/// instance) serves the page, the API, review decisions and retention, so a request never runs inside an ingest
/// transaction.
/// </summary>
internal sealed class ServeContext(ServeOptions options, InferenceStore writeStore, InferenceStore readStore, WriteToken token, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<IngesterState> _ingesters = [];

    public ServeOptions Options { get; } = options;
    public InferenceStore WriteStore { get; } = writeStore;
    public InferenceStore ReadStore { get; } = readStore;
    public WriteToken Token { get; } = token;
    public TimeProvider Time { get; } = time;

    /// <summary>Serializes reads and review writes on <see cref="ReadStore"/>'s connection.</summary>
    public SemaphoreSlim ReadGate { get; } = new(1, 1);

    public IngesterState AddIngester(string source, string kind)
    {
        var state = new IngesterState(source, kind);
        lock (_gate)
        {
            _ingesters.Add(state);
        }

        return state;
    }

    public IReadOnlyList<IngesterState> Ingesters
    {
        get
        {
            lock (_gate)
            {
                return [.. _ingesters];
            }
        }
    }
}
