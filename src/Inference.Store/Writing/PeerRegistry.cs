using DuckDB.NET.Data;
using Inference.Core.Flows;

namespace Inference.Store.Writing;

/// <summary>Assigns and remembers the integer ids of peers and edges, so buckets reference small keys.</summary>
internal sealed class PeerRegistry(DuckDBConnection connection)
{
    private Dictionary<string, (int Id, string[] Names)>? _peers;
    private Dictionary<string, int>? _edges;
    private readonly Dictionary<EdgeKey, (int Id, string Key)> _byEdge = [];
    private int _nextPeer;
    private int _nextEdge;

    public int PeerId(Peer peer, DuckDBTransaction tx)
    {
        Load();
        if (_peers!.TryGetValue(peer.Key, out var known))
        {
            if (peer.Names.Count > 0 && peer.Names.Except(known.Names, StringComparer.Ordinal).Any())
            {
                // a world address learned another DNS name: the key stays, the names grow
                var names = known.Names.Union(peer.Names, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
                using var update = connection.CreateCommand();
                update.Transaction = tx;
                update.CommandText = "UPDATE peers SET names = $names WHERE peer_id = $id";
                update.Parameters.Add(new DuckDBParameter("names", names.ToList()));
                update.Parameters.Add(new DuckDBParameter("id", known.Id));
                update.ExecuteNonQuery();
                _peers[peer.Key] = (known.Id, names);
            }

            return known.Id;
        }

        var id = ++_nextPeer;
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO peers VALUES ($id, $key, $ns, $workload, $kind, $entity, $ip, $names, $name)";
        cmd.Parameters.Add(new DuckDBParameter("id", id));
        cmd.Parameters.Add(new DuckDBParameter("key", peer.Key));
        cmd.Parameters.Add(new DuckDBParameter("ns", peer.Namespace));
        cmd.Parameters.Add(new DuckDBParameter("workload", peer.Workload));
        cmd.Parameters.Add(new DuckDBParameter("kind", peer.WorkloadKind?.ToString()));
        cmd.Parameters.Add(new DuckDBParameter("entity", peer.Entity?.ToWire()));
        cmd.Parameters.Add(new DuckDBParameter("ip", peer.Ip));
        cmd.Parameters.Add(new DuckDBParameter("names", peer.Names.ToList()));
        cmd.Parameters.Add(new DuckDBParameter("name", peer.Name));
        cmd.ExecuteNonQuery();
        _peers[peer.Key] = (id, peer.Names.ToArray());
        return id;
    }

    /// <summary>The edge's id, and whether it is new (its row must be inserted).</summary>
    /// <remarks>
    /// Every bucket row asks: an edge already seen is found by its key's value without building the id string. A peer
    /// that learned DNS names is updated where the batch's edges are written (<see cref="PeerId"/>), not here.
    /// </remarks>
    public (int Id, bool IsNew, string Key) EdgeId(EdgeKey edge, DuckDBTransaction tx)
    {
        Load();
        if (_byEdge.TryGetValue(edge, out var seen))
        {
            return (seen.Id, false, seen.Key);
        }

        var key = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{PeerId(edge.Source, tx)}|{PeerId(edge.Destination, tx)}|{edge.Protocol.ToWire()}|{edge.Port}|{edge.IcmpType}");
        if (_edges!.TryGetValue(key, out var id))
        {
            _byEdge[edge] = (id, key);
            return (id, false, key);
        }

        id = ++_nextEdge;
        _edges[key] = id;
        _byEdge[edge] = (id, key);
        return (id, true, key);
    }

    /// <summary>Forgets ids handed out in a transaction that rolled back.</summary>
    public void Reset() => _peers = null;

    private void Load()
    {
        if (_peers is not null)
        {
            return;
        }

        _peers = [];
        _edges = [];
        _byEdge.Clear();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT peer_id, peer_key, names FROM peers";
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                var names = reader.GetFieldValue<List<string>>(2);
                _peers[reader.GetString(1)] = (reader.GetInt32(0), names.ToArray());
            }
        }

        _nextPeer = _peers.Count == 0 ? 0 : _peers.Values.Max(p => p.Id);
        cmd.CommandText = "SELECT edge_id, edge_key FROM edges";
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                _edges[reader.GetString(1)] = reader.GetInt32(0);
            }
        }

        _nextEdge = _edges.Count == 0 ? 0 : _edges.Values.Max();
    }
}
