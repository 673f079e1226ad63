using System.Text.Json;
using DuckDB.NET.Data;
using Inference.Core.Aggregation;

namespace Inference.Store.Writing;

/// <summary>
/// The stored workload rows, loaded once per writer, so merging a batch's observations (stable labels are the ones all
/// pods shared) needs no read per workload.
/// </summary>
internal sealed class WorkloadCache(DuckDBConnection connection)
{
    private Dictionary<int, Row>? _rows;

    public Row Merge(int id, WorkloadObservation w, DuckDBTransaction tx)
    {
        Load(tx);
        var observed = new Row(
            new SortedDictionary<string, string>(w.Labels.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, string>(w.NamespaceLabels.ToDictionary(), StringComparer.Ordinal),
            w.Pods.Take(5).ToList(), StoreTime.ToDateTime(w.FirstNs), StoreTime.ToDateTime(w.LastNs));
        if (!_rows!.TryGetValue(id, out var known))
        {
            _rows[id] = observed;
            return observed;
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in observed.Labels)
        {
            // stable labels are the ones every pod of the workload carried, in this batch and before
            if (known.Labels.TryGetValue(k, out var old) && old == v)
            {
                labels[k] = v;
            }
        }

        var nsLabels = new SortedDictionary<string, string>(known.NamespaceLabels, StringComparer.Ordinal);
        foreach (var (k, v) in observed.NamespaceLabels)
        {
            nsLabels[k] = v;
        }

        var merged = new Row(labels, nsLabels, known.Pods.Union(observed.Pods, StringComparer.Ordinal).Take(5).ToList(),
            known.First < observed.First ? known.First : observed.First, known.Last > observed.Last ? known.Last : observed.Last);
        _rows[id] = merged;
        return merged;
    }

    public void Reset() => _rows = null;

    private void Load(DuckDBTransaction tx)
    {
        if (_rows is not null)
        {
            return;
        }

        _rows = [];
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT peer_id, labels, namespace_labels, sample_pods, first_seen, last_seen FROM workloads";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            _rows[reader.GetInt32(0)] = new Row(Labels(reader.GetString(1)), Labels(reader.GetString(2)), reader.GetFieldValue<List<string>>(3),
                reader.GetDateTime(4), reader.GetDateTime(5));
        }
    }

    private static SortedDictionary<string, string> Labels(string json) =>
        new(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal);

    internal sealed record Row(SortedDictionary<string, string> Labels, SortedDictionary<string, string> NamespaceLabels, List<string> Pods, DateTime First, DateTime Last);
}
