using DuckDB.NET.Data;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// The distinct-pod sketches of recently written buckets, so that merging a batch into a bucket that already exists
/// needs no read-back per row: live streams keep writing into the same few hour buckets. Bounded: cleared when full;
/// buckets not in it are read back in one query per batch.
/// </summary>
internal sealed class SketchCache(DuckDBConnection connection, int capacity = 200_000)
{
    private readonly Dictionary<(int Edge, long Bucket, string Source), (DistinctSketch Src, DistinctSketch Dst)> _sketches = [];

    /// <summary>Merges <paramref name="bucket"/>'s sketches into what the store already has for its key; returns the merged pair.</summary>
    public (DistinctSketch Src, DistinctSketch Dst) Merge((int Edge, long Bucket, string Source) key, EdgeBucket bucket)
    {
        if (!_sketches.TryGetValue(key, out var known))
        {
            known = (new DistinctSketch(), new DistinctSketch());
            _sketches[key] = known;
        }

        known.Src.Merge(bucket.SourcePods);
        known.Dst.Merge(bucket.DestinationPods);
        return known;
    }

    /// <summary>
    /// Loads, in one query, the stored sketches of the keys this batch touches that the cache does not hold. Returns the
    /// keys the store has no row for (their rows can be appended instead of upserted).
    /// </summary>
    public HashSet<(int Edge, long Bucket, string Source)> Prefetch(IReadOnlyCollection<(int Edge, long Bucket, string Source)> keys, DuckDBTransaction tx)
    {
        var missing = keys.Where(k => !_sketches.ContainsKey(k)).Distinct().ToList();
        var absent = new HashSet<(int Edge, long Bucket, string Source)>(missing);
        if (missing.Count == 0)
        {
            return absent;
        }

        if (_sketches.Count + missing.Count > capacity)
        {
            _sketches.Clear();
        }

        using (var appender = connection.CreateAppender("stage_keys"))
        {
            foreach (var (edge, bucket, source) in missing)
            {
                appender.CreateRow().AppendValue(edge).AppendValue(StoreTime.ToDateTime(bucket)).AppendValue(source).EndRow();
            }
        }

        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                SELECT b.edge_id, b.bucket, b.source, b.source_pods_sketch, b.destination_pods_sketch
                FROM stage_keys k JOIN edge_buckets b USING (edge_id, bucket, source)
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetInt32(0), StoreTime.ToNs(reader.GetDateTime(1)), reader.GetString(2));
                _sketches[key] = (Read(reader, 3), Read(reader, 4));
                absent.Remove(key);
            }
        }

        using (var clear = connection.CreateCommand())
        {
            clear.Transaction = tx;
            clear.CommandText = "DELETE FROM stage_keys";
            clear.ExecuteNonQuery();
        }

        // keys the store does not have yet start empty
        foreach (var key in missing)
        {
            _sketches.TryAdd(key, (new DistinctSketch(), new DistinctSketch()));
        }

        return absent;
    }

    /// <summary>A rolled-back transaction may have merged sketches it never stored.</summary>
    public void Reset() => _sketches.Clear();

    private static DistinctSketch Read(System.Data.Common.DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[Math.Min(stream.Length, DistinctSketch.Capacity * 8)];
        stream.ReadExactly(bytes);
        return DistinctSketch.FromBytes(bytes);
    }
}
