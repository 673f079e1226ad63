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
        var values = new (double Value, double Weight)[rows.Count];
        foreach (var feature in EdgeFeature.All)
        {
            var f = feature.Index;
            for (var i = 0; i < rows.Count; i++)
            {
                values[i] = (rows[i].Model[f], weights[i]);
            }

            center[f] = WeightedMedian(values);
            for (var i = 0; i < rows.Count; i++)
            {
                values[i] = (Math.Abs(rows[i].Model[f] - center[f]), weights[i]);
            }

            // 1.4826 * MAD estimates the standard deviation of normally distributed values
            scale[f] = Math.Max(1.4826 * WeightedMedian(values), feature.Floor);
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

    internal static double WeightedMedian((double Value, double Weight)[] values)
    {
        if (values.Length == 0)
        {
            return 0;
        }

        var sorted = ((double Value, double Weight)[])values.Clone();
        Array.Sort(sorted, (a, b) => a.Value.CompareTo(b.Value));
        var half = sorted.Sum(v => v.Weight) / 2;
        double running = 0;
        foreach (var (value, weight) in sorted)
        {
            running += weight;
            if (running >= half)
            {
                return value;
            }
        }

        return sorted[^1].Value;
    }
}
