using Inference.Core.Inference;
using Inference.Store;
using Inference.Store.Reading;

namespace Inference.Cli.Suggest;

/// <summary>Reads what a suggestion needs from the store: edges, workloads, pods and L7 records of the window.</summary>
internal static class ObservationLoader
{
    public static Observations Load(InferenceStore store, EdgeFilter filter, CancellationToken cancellationToken)
    {
        var edges = store.Reads.Edges(filter).Select(e => new ObservedEdge(e.Edge, e.Connections, e.Verdicts, e.DropReasons, e.FirstSeen, e.LastSeen, e.DistinctSourcePods)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        // every workload and pod, not just the filtered namespaces: selectors must avoid every neighbour, peers need theirs
        var workloads = store.Reads.Workloads().Select(w => new ObservedWorkload(w.Workload, w.Labels, w.NamespaceLabels)).ToList();
        var pods = store.Reads.Pods().Select(p => new ObservedPod(p.Workload, p.Namespace, p.Pod, p.Labels, p.NamespaceLabels, p.Ip)).ToList();
        cancellationToken.ThrowIfCancellationRequested();
        var http = store.Reads.Http(store, filter).Select(h => new ObservedHttp(h.Edge, h.Method, h.Path, h.Count)).ToList();
        var dns = store.Reads.Dns(store, filter).Select(d => new ObservedDns(d.Edge, d.Query)).ToList();
        return new Observations(edges, workloads, pods, http, dns);
    }
}
