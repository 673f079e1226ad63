using Inference.Core.Identity;

namespace Inference.Core.Inference.Selectors;

/// <summary>Which label keys may appear in a selector, and in what order of preference.</summary>
internal static class SelectorLabels
{
    // the conventional identity labels first: what a human would pick and what survives a rollout
    private static readonly string[] Preferred =
    [
        "app.kubernetes.io/name", "app.kubernetes.io/instance", "app", "k8s-app", "name",
        "app.kubernetes.io/component", "component", "app.kubernetes.io/part-of", "tier", "role",
    ];

    // labels that change with a release even though every pod seen in the window shared them
    private static readonly HashSet<string> ReleaseBound = new(StringComparer.Ordinal)
    {
        "app.kubernetes.io/version", "version", "helm.sh/chart", "chart", "app.kubernetes.io/managed-by", "heritage",
    };

    private static readonly string[] Synthetic = ["io.kubernetes.", "io.cilium.", "reserved:", "k8s:", "any:"];

    public static int Rank(string key)
    {
        var i = Array.IndexOf(Preferred, key);
        return i >= 0 ? i : ReleaseBound.Contains(key) ? 1000 : 100;
    }

    public static bool IsReleaseBound(string key) => ReleaseBound.Contains(key);

    /// <summary>False for volatile labels, labels the flow source derives, and (Cilium) labels Cilium leaves out of identities.</summary>
    public static bool IsUsable(string key, SuggestFormat format)
    {
        if (VolatileLabels.IsVolatile(key) || Synthetic.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
        {
            return false;
        }

        if (format == SuggestFormat.Cilium)
        {
            // Cilium's default identity-label filter drops these; a selector on them matches nothing
            var k8sOwned = (key.Contains("kubernetes.io", StringComparison.Ordinal) && !key.StartsWith("app.kubernetes.io/", StringComparison.Ordinal))
                || key.Contains("k8s.io", StringComparison.Ordinal) || key.StartsWith("annotation", StringComparison.Ordinal) || key == "etcd_node";
            return !k8sOwned;
        }

        return true;
    }

    /// <summary>The pod labels a selector can be matched against (synthetic keys removed).</summary>
    public static Dictionary<string, string> Clean(IReadOnlyDictionary<string, string> labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in labels)
        {
            if (!Synthetic.Any(p => k.StartsWith(p, StringComparison.Ordinal)))
            {
                result[k] = v;
            }
        }

        return result;
    }
}
