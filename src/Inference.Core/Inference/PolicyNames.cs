using System.Text;
using Inference.Core.Flows;

namespace Inference.Core.Inference;

/// <summary>
/// Policy and file names: the workload's name, stable across runs. A name two workloads share, or one that would
/// collide with the namespace-wide policies, gets the kind appended; anything not a valid DNS-1123 name is made one.
/// </summary>
public static class PolicyNames
{
    public const string DefaultDeny = "default-deny";
    public const string Dns = "allow-dns";
    public const string DefaultDenyFile = "_default-deny.yaml";
    public const string DnsFile = "_dns.yaml";

    public static IReadOnlyDictionary<Peer, string> ForNamespace(IEnumerable<Peer> workloads)
    {
        var list = workloads.OrderBy(w => w).ToList();
        var counts = list.GroupBy(w => Safe(w.Workload!), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new Dictionary<Peer, string>();
        foreach (var w in list)
        {
            var name = Safe(w.Workload!);
            if (counts[name] > 1 || name is DefaultDeny or Dns)
            {
                name = Safe($"{w.Workload}-{w.WorkloadKind.ToString()!.ToLowerInvariant()}");
            }

            result[w] = name;
        }

        return result;
    }

    /// <summary>A DNS-1123 subdomain: lower case alphanumerics, '-' and '.', at most 253 characters; altered names get a hash suffix.</summary>
    public static string Safe(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name.ToLowerInvariant())
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '-');
        }

        var safe = sb.ToString().Trim('-', '.');
        while (safe.Contains("..", StringComparison.Ordinal))
        {
            safe = safe.Replace("..", ".", StringComparison.Ordinal);
        }

        if (safe == name && safe.Length is > 0 and <= 253)
        {
            return safe;
        }

        // deterministic FNV-1a suffix, so two different bad names do not become the same good one
        var h = 14695981039346656037UL;
        foreach (var ch in name)
        {
            h = (h ^ ch) * 1099511628211UL;
        }

        var suffix = (h % 0xFFFFFFUL).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
        var head = safe.Length == 0 ? "workload" : safe[..Math.Min(safe.Length, 240)].Trim('-', '.');
        return $"{head}-{suffix}";
    }
}
