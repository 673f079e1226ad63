namespace Inference.Cli.Serve;

/// <summary>One ingester's live state, shown on /api/status and /metrics. Updated by its loop, read by requests.</summary>
internal sealed class IngesterState(string source, string kind)
{
    private readonly Lock _gate = new();
    private string _state = "starting";
    private string? _lastError;
    private DateTimeOffset? _since;
    private Func<long>? _flows;
    private Func<string?>? _retrying;

    public string Source { get; } = source;
    public string Kind { get; } = kind;
    public int Restarts { get; private set; }

    /// <summary>The ingester runs; <paramref name="retrying"/> says why it is not receiving right now (null while it is).</summary>
    public void Running(DateTimeOffset at, Func<long>? flows, Func<string?>? retrying = null)
    {
        lock (_gate)
        {
            (_state, _since, _flows, _retrying) = ("running", at, flows, retrying);
        }
    }

    public void Failed(DateTimeOffset at, string error, TimeSpan backoff)
    {
        lock (_gate)
        {
            (_state, _since, _lastError, _retrying) = ($"restarting in {backoff.TotalSeconds:0.#}s", at, error, null);
            Restarts++;
        }
    }

    public void Stopped(DateTimeOffset at)
    {
        lock (_gate)
        {
            (_state, _since) = ("stopped", at);
        }
    }

    public (string State, DateTimeOffset? Since, string? LastError, long? LiveFlows) Snapshot()
    {
        lock (_gate)
        {
            return _state == "running" && _retrying?.Invoke() is { } reason
                ? ("reconnecting", _since, reason, _flows?.Invoke())
                : (_state, _since, _lastError, _flows?.Invoke());
        }
    }
}
