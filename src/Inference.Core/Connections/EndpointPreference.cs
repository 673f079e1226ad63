using Inference.Core.Flows;

namespace Inference.Core.Connections;

/// <summary>
/// When the events of one connection describe an end differently (a proxy's address seen as world on one node and as
/// host on another, a local endpoint with its owner and a remote one without), the richer description wins; ties are
/// broken by a fixed order, so the answer never depends on which event arrived first.
/// </summary>
internal static class EndpointPreference
{
    public static bool Better(EndpointInfo candidate, EndpointInfo current)
    {
        if (ReferenceEquals(candidate, current))
        {
            // decoders share one instance per endpoint description: the common case costs nothing
            return false;
        }

        if (candidate.Quality != current.Quality)
        {
            return candidate.Quality > current.Quality;
        }

        var rank = Rank(candidate).CompareTo(Rank(current));
        if (rank != 0)
        {
            return rank > 0;
        }

        // same kind of description: the smaller key, whatever the arrival order
        return string.CompareOrdinal(candidate.PreferenceKey, current.PreferenceKey) < 0;
    }

    private static int Rank(EndpointInfo e) => e.Workload is not null ? 10 : e.Entity switch
    {
        EntityKind.KubeApiserver => 8,
        EntityKind.Host => 7,
        EntityKind.RemoteNode => 6,
        EntityKind.Ingress => 5,
        EntityKind.Health => 4,
        EntityKind.World => 1,
        null => 0,
        _ => 2,
    };
}
