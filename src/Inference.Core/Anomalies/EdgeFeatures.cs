using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>One edge's features: <see cref="Raw"/> as a person reads them (counts, shares), <see cref="Model"/> as scored (counts on a log scale).</summary>
public sealed record EdgeFeatures(EdgeKey Edge, double[] Raw, double[] Model)
{
    public double this[EdgeFeature feature] => Raw[feature.Index];
}
