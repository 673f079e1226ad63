namespace Inference.Store;

/// <summary>How the store is opened.</summary>
public sealed record StoreOptions
{
    public bool ReadOnly { get; init; }

    /// <summary>DuckDB's memory limit (it spills beyond it instead of growing).</summary>
    public string MemoryLimit { get; init; } = "1GB";

    public int Threads { get; init; } = 2;

    /// <summary>Raw flow lines kept at most per source (0: none).</summary>
    public long RawFlowCap { get; init; }
}
