namespace Inference.Store.Writing;

/// <summary>Nanosecond event times to and from DuckDB timestamps (microsecond precision, UTC).</summary>
public static class StoreTime
{
    public static DateTime ToDateTime(long ns) => DateTime.UnixEpoch.AddTicks(ns / 100);

    public static long ToNs(DateTime value) => (DateTime.SpecifyKind(value, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks * 100;

    public static DateTimeOffset ToOffset(long ns) => new(ToDateTime(ns), TimeSpan.Zero);
}
