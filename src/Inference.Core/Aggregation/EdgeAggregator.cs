using Inference.Core.Connections;
using Inference.Core.Flows;

namespace Inference.Core.Aggregation;

/// <summary>
/// Folds connections into per-edge, per-time-bucket counts between two flushes, so that storage grows with the
/// number of distinct edges and buckets, not with the number of flows.
/// </summary>
public sealed class EdgeAggregator
{
    private const int SamplePods = 5;
    private readonly long _bucketNs;
    private readonly Dictionary<(EdgeKey Edge, long Bucket), EdgeBucket> _buckets = [];
    private readonly Dictionary<EdgeKey, EdgeAcc> _edges = [];
    private readonly Dictionary<Peer, WorkloadAcc> _workloads = [];
    private readonly Dictionary<(string Ns, string Pod), PodAcc> _pods = [];
    private readonly Dictionary<(EdgeKey Edge, string Query, string Answers, int Rcode), (DnsObservation Obs, long First, long Last)> _dns = [];
    private readonly Dictionary<(EdgeKey Edge, string Method, string Path, int Status), (HttpObservation Obs, long First, long Last)> _http = [];

    public EdgeAggregator(TimeSpan bucket)
    {
        if (bucket <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), "the time bucket must be positive");
        }

        _bucketNs = (long)bucket.TotalNanoseconds;
    }

    public long PendingConnections { get; private set; }
    public int PendingBuckets => _buckets.Count;

    public long BucketStart(long timeNs) => timeNs - (((timeNs % _bucketNs) + _bucketNs) % _bucketNs);

    public void Add(Connection c)
    {
        Count(c.Edge, c.FirstNs, c.LastNs, c.Verdict, c.DropReason, 1, c.SourcePod, c.DestinationPod);
        Observe(c.Edge.Source, c.SourceEndpoint, c.Tuple.SourceIp, c.FirstNs, c.LastNs);
        Observe(c.Edge.Destination, c.DestinationEndpoint, c.Tuple.DestinationIp, c.FirstNs, c.LastNs);
        foreach (var dns in c.Dns)
        {
            var key = (c.Edge, dns.Query, dns.Answers, dns.Rcode);
            _dns[key] = _dns.TryGetValue(key, out var e)
                ? (e.Obs with { Count = e.Obs.Count + dns.Count, Ttl = Math.Max(e.Obs.Ttl, dns.Ttl) }, Math.Min(e.First, c.FirstNs), Math.Max(e.Last, c.LastNs))
                : (dns, c.FirstNs, c.LastNs);
        }

        foreach (var http in c.Http)
        {
            var key = (c.Edge, http.Method, http.Path, http.Status);
            _http[key] = _http.TryGetValue(key, out var e)
                ? (e.Obs with { Count = e.Obs.Count + http.Count }, Math.Min(e.First, c.FirstNs), Math.Max(e.Last, c.LastNs))
                : (http, c.FirstNs, c.LastNs);
        }
    }

    /// <summary>Counts <paramref name="count"/> connections on an edge at once (sources that report pre-aggregated records).</summary>
    public void Count(EdgeKey edge, long firstNs, long lastNs, Verdict verdict, string? dropReason, long count, string? sourcePod, string? destinationPod)
    {
        var bucketKey = (edge, BucketStart(firstNs));
        if (!_buckets.TryGetValue(bucketKey, out var bucket))
        {
            bucket = new EdgeBucket(edge, bucketKey.Item2);
            _buckets[bucketKey] = bucket;
        }

        bucket.Count(verdict, count, dropReason);
        bucket.FirstNs = Math.Min(bucket.FirstNs, firstNs);
        bucket.LastNs = Math.Max(bucket.LastNs, lastNs);
        if (sourcePod is not null)
        {
            bucket.SourcePods.Add(sourcePod);
        }

        if (destinationPod is not null)
        {
            bucket.DestinationPods.Add(destinationPod);
        }

        if (!_edges.TryGetValue(edge, out var acc))
        {
            acc = new EdgeAcc { First = firstNs, Last = lastNs };
            _edges[edge] = acc;
        }

        acc.First = Math.Min(acc.First, firstNs);
        acc.Last = Math.Max(acc.Last, lastNs);
        AddSample(acc.SourcePods, sourcePod);
        AddSample(acc.DestinationPods, destinationPod);
        PendingConnections += count;
    }

    /// <summary>Records the workload (labels, namespace labels, pods) behind one end of a connection.</summary>
    public void Observe(Peer peer, EndpointInfo endpoint, string? ip, long firstNs, long lastNs)
    {
        if (!peer.IsWorkload)
        {
            return;
        }

        // endpoints are cached per pod: the same object as last time has nothing new to merge (most connections)
        var seen = false;
        if (!_workloads.TryGetValue(peer, out var w))
        {
            w = new WorkloadAcc { Labels = new SortedDictionary<string, string>(endpoint.Labels.ToDictionary(), StringComparer.Ordinal), First = firstNs, Last = lastNs };
            _workloads[peer] = w;
        }
        else if (ReferenceEquals(w.LastEndpoint, endpoint))
        {
            seen = true;
        }
        else
        {
            // a workload's identity is what all its pods share: a label one pod lacks is not stable
            foreach (var key in w.Labels.Keys.ToList())
            {
                if (!endpoint.Labels.TryGetValue(key, out var v) || v != w.Labels[key])
                {
                    w.Labels.Remove(key);
                }
            }
        }

        w.LastEndpoint = endpoint;
        if (!seen && endpoint.NamespaceLabels.Count > 0)
        {
            // enumerating a sorted dictionary allocates: most sources (Calico) have no namespace labels
            foreach (var (k, v) in endpoint.NamespaceLabels)
            {
                w.NamespaceLabels[k] = v;
            }
        }

        w.First = Math.Min(w.First, firstNs);
        w.Last = Math.Max(w.Last, lastNs);
        AddSample(w.Pods, endpoint.PodName);
        if (endpoint.PodName is { } pod && peer.Namespace is { } ns)
        {
            ref var p = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_pods, (ns, pod), out var known);
            if (!known)
            {
                p = new PodAcc(new PodObservation(peer, ns, pod, endpoint.AllLabels, endpoint.NamespaceLabels, NullIfEmpty(ip), firstNs, lastNs));
            }
            else
            {
                p!.FirstNs = Math.Min(p.FirstNs, firstNs);
                p.LastNs = Math.Max(p.LastNs, lastNs);
                p.Ip ??= NullIfEmpty(ip);
            }
        }
    }

    /// <summary>Moves everything accumulated since the last drain into <paramref name="batch"/>, in a deterministic order.</summary>
    public void DrainInto(IngestBatch batch)
    {
        batch.Buckets.AddRange(_buckets.Values.OrderBy(b => b.Edge).ThenBy(b => b.BucketStartNs));
        batch.Edges.AddRange(_edges.OrderBy(e => e.Key).Select(e => new EdgeSummary(e.Key, e.Value.First, e.Value.Last, e.Value.SourcePods, e.Value.DestinationPods)));
        batch.Workloads.AddRange(_workloads.OrderBy(w => w.Key).Select(w => new WorkloadObservation(w.Key, w.Value.Labels, w.Value.NamespaceLabels, w.Value.Pods, w.Value.First, w.Value.Last)));
        batch.Pods.AddRange(_pods.Values.Select(p => p.ToObservation()).OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Pod, StringComparer.Ordinal));
        batch.Dns.AddRange(_dns.OrderBy(d => d.Key.Edge).ThenBy(d => d.Key.Query, StringComparer.Ordinal).Select(d => new EdgeL7<DnsObservation>(d.Key.Edge, d.Value.Obs, d.Value.First, d.Value.Last)));
        batch.Http.AddRange(_http.OrderBy(d => d.Key.Edge).ThenBy(d => d.Key.Method, StringComparer.Ordinal).ThenBy(d => d.Key.Path, StringComparer.Ordinal)
            .Select(d => new EdgeL7<HttpObservation>(d.Key.Edge, d.Value.Obs, d.Value.First, d.Value.Last)));
        batch.ConnectionCount += PendingConnections;
        _buckets.Clear();
        _edges.Clear();
        _workloads.Clear();
        _pods.Clear();
        _dns.Clear();
        _http.Clear();
        PendingConnections = 0;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static void AddSample(List<string> samples, string? pod)
    {
        if (pod is not null && samples.Count < SamplePods && !samples.Contains(pod))
        {
            samples.Add(pod);
        }
    }

    private sealed class EdgeAcc
    {
        public long First { get; set; }
        public long Last { get; set; }
        public List<string> SourcePods { get; } = [];
        public List<string> DestinationPods { get; } = [];
    }

    /// <summary>A pod's first observation (workload, labels), widened in place by later ones: no record per connection.</summary>
    private sealed class PodAcc(PodObservation first)
    {
        public long FirstNs { get; set; } = first.FirstNs;
        public long LastNs { get; set; } = first.LastNs;
        public string? Ip { get; set; } = first.Ip;

        public PodObservation ToObservation() => first with { FirstNs = FirstNs, LastNs = LastNs, Ip = Ip };
    }

    private sealed class WorkloadAcc
    {
        public required SortedDictionary<string, string> Labels { get; init; }
        public SortedDictionary<string, string> NamespaceLabels { get; } = new(StringComparer.Ordinal);
        public List<string> Pods { get; } = [];
        public long First { get; set; }
        public long Last { get; set; }
        public EndpointInfo? LastEndpoint { get; set; }
    }
}
