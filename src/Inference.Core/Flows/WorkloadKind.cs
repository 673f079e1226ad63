namespace Inference.Core.Flows;

/// <summary>The owner kinds a workload can be identified as.</summary>
public enum WorkloadKind : byte
{
    Pod = 0,
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    ReplicaSet,
}

/// <summary>The non-workload ends of a connection.</summary>
public enum EntityKind : byte
{
    World = 0,
    Private,
    Host,
    RemoteNode,
    KubeApiserver,
    Ingress,
    Health,
    NetworkSet,
    HostEndpoint,
}

public static class PeerKindNames
{
    public static string ToWire(this EntityKind entity) => entity switch
    {
        EntityKind.World => "world",
        EntityKind.Private => "private",
        EntityKind.Host => "host",
        EntityKind.RemoteNode => "remote-node",
        EntityKind.KubeApiserver => "kube-apiserver",
        EntityKind.Ingress => "ingress",
        EntityKind.Health => "health",
        EntityKind.NetworkSet => "network-set",
        EntityKind.HostEndpoint => "host-endpoint",
        _ => "unknown",
    };

    public static bool TryParseEntity(string text, out EntityKind entity)
    {
        foreach (var candidate in Enum.GetValues<EntityKind>())
        {
            if (candidate.ToWire() == text)
            {
                entity = candidate;
                return true;
            }
        }

        entity = default;
        return false;
    }

    public static bool TryParseWorkloadKind(string text, out WorkloadKind kind) =>
        Enum.TryParse(text, ignoreCase: false, out kind) && Enum.IsDefined(kind);
}
