namespace Inference.Core.Anomalies;

/// <summary>
/// Per-feature weighted median and MAD: the normal range is learned from the bulk of the window, so a scan's hundreds of
/// extreme rows move neither the centre nor the spread the way a mean and standard deviation would.
/// </summary>
internal sealed class RobustScale
{
    private readonly double[] _center;
    private readonly double[] _scale;

    private RobustScale(double[] center, double[] scale)
    {
        _center = center;
        _scale = scale;
    }

    public static RobustScale Fit(IReadOnlyList<EdgeFeatures> rows, double[] weights)
    {
        var n = EdgeFeature.Count;
        var center = new double[n];
        var scale = new double[n];
        var values = new double[rows.Count];
        var sortedWeights = new double[rows.Count];
        foreach (var feature in EdgeFeature.All)
        {
            var f = feature.Index;
            for (var i = 0; i < rows.Count; i++)
            {
                values[i] = rows[i].Model[f];
            }

            center[f] = WeightedMedian(values, weights, sortedWeights);
            for (var i = 0; i < rows.Count; i++)
            {
                values[i] = Math.Abs(rows[i].Model[f] - center[f]);
            }

            // 1.4826 * MAD estimates the standard deviation of normally distributed values
            scale[f] = Math.Max(1.4826 * WeightedMedian(values, weights, sortedWeights), feature.Floor);
        }

        return new RobustScale(center, scale);
    }

    public double[] Apply(double[] model)
    {
        var z = new double[model.Length];
        for (var f = 0; f < model.Length; f++)
        {
            z[f] = (model[f] - _center[f]) / _scale[f];
        }

        return z;
    }

    /// <summary>The weighted median of <paramref name="values"/> (sorted in place; <paramref name="scratch"/> holds the weights alongside).</summary>
    internal static double WeightedMedian(double[] values, double[] weights, double[] scratch)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        Array.Copy(weights, scratch, weights.Length);
        Array.Sort(values, scratch);
        double total = 0;
        foreach (var w in scratch)
        {
            total += w;
        }

        double running = 0;
        for (var i = 0; i < values.Length; i++)
        {
            running += scratch[i];
            if (running >= total / 2)
            {
                return values[i];
            }
        }

        return values[^1];
    }
}
