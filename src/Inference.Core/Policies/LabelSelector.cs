namespace Inference.Core.Policies;

public enum SelectorOperator : byte
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

public sealed record LabelSelectorRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values);

/// <summary>
/// A Kubernetes label selector: <c>matchLabels</c> and every <c>matchExpressions</c> entry ANDed; empty matches everything.
/// <c>NotIn</c> and <c>DoesNotExist</c> match objects that lack the key (semantics 3.5).
/// </summary>
public sealed class LabelSelector
{
    private readonly KeyValuePair<string, string>[] _labels;
    private readonly (string Key, SelectorOperator Op, HashSet<string> Values)[] _expressions;

    public LabelSelector(IReadOnlyDictionary<string, string>? matchLabels = null, IReadOnlyList<LabelSelectorRequirement>? matchExpressions = null)
    {
        MatchLabels = matchLabels is null
            ? new SortedDictionary<string, string>(StringComparer.Ordinal)
            : new SortedDictionary<string, string>(matchLabels.ToDictionary(), StringComparer.Ordinal);
        MatchExpressions = matchExpressions ?? [];
        _labels = [.. MatchLabels];
        _expressions = [.. MatchExpressions.Select(e => (e.Key, e.Operator, new HashSet<string>(e.Values, StringComparer.Ordinal)))];
    }

    public static LabelSelector Everything { get; } = new();

    public IReadOnlyDictionary<string, string> MatchLabels { get; }
    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; }
    public bool IsEmpty => _labels.Length == 0 && _expressions.Length == 0;

    /// <summary><see cref="MatchLabels"/> in key order, without walking the sorted dictionary (hot paths).</summary>
    internal ReadOnlySpan<KeyValuePair<string, string>> OrderedLabels => _labels;

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in _labels)
        {
            if (!labels.TryGetValue(key, out var actual) || !string.Equals(actual, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var (key, op, values) in _expressions)
        {
            var has = labels.TryGetValue(key, out var actual);
            var ok = op switch
            {
                SelectorOperator.In => has && values.Contains(actual!),
                SelectorOperator.NotIn => !has || !values.Contains(actual!),
                SelectorOperator.Exists => has,
                _ => !has,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The same selector with every key rewritten (Cilium's <c>k8s:</c>/<c>any:</c> source prefixes are dropped this way).</summary>
    public LabelSelector MapKeys(Func<string, string> map) => new(
        MatchLabels.ToDictionary(kv => map(kv.Key), kv => kv.Value, StringComparer.Ordinal),
        [.. MatchExpressions.Select(e => e with { Key = map(e.Key) })]);

    public override string ToString()
    {
        if (IsEmpty)
        {
            return "{}";
        }

        var parts = MatchLabels.Select(kv => $"{kv.Key}={kv.Value}")
            .Concat(MatchExpressions.Select(e => e.Operator switch
            {
                SelectorOperator.Exists => e.Key,
                SelectorOperator.DoesNotExist => "!" + e.Key,
                SelectorOperator.In => $"{e.Key} in ({string.Join(",", e.Values)})",
                _ => $"{e.Key} notin ({string.Join(",", e.Values)})",
            }));
        return string.Join(",", parts);
    }
}
