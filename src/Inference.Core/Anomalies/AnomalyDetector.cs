using Inference.Core.Activity;
using Inference.Core.Flows;

namespace Inference.Core.Anomalies;

/// <summary>
/// Scores every edge of a window against the window itself: robust scaling, a randomized-PCA frame (ML.NET) learned with
/// each source workload weighted equally, then a Mahalanobis-style distance (along the frame: divided by its variance; off
/// it: reconstruction error). score = d²/(d² + 25): 0.5 for an edge as far from normal as one feature five robust
/// deviations off, 0.8 (flagged by default) at ten; many features a little off add up the same way.
/// </summary>
public static class AnomalyDetector
{
    /// <summary>The squared distance that scores 0.5: five robust deviations in one feature.</summary>
    public const double HalfScoreDistance = 25;

    public static AnomalyScores Score(WindowActivity window, AnomalyOptions? options = null, CancellationToken cancellationToken = default) =>
        Score(FeatureExtractor.Extract(window, cancellationToken), options, cancellationToken);

    public static AnomalyScores Score(IReadOnlyList<EdgeFeatures> features, AnomalyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AnomalyOptions();
        var notes = new List<string>();
        if (features.Count == 0)
        {
            return new AnomalyScores([], "none (no edges in the window)", ["no edges in the window: nothing to score"]);
        }

        // every source workload gets the same say in what normal looks like: a scan's hundreds of edges weigh as one source
        var perSource = new Dictionary<Peer, int>();
        foreach (var f in features)
        {
            perSource[f.Edge.Source] = perSource.GetValueOrDefault(f.Edge.Source) + 1;
        }

        var weights = features.Select(f => 1.0 / perSource[f.Edge.Source]).ToArray();
        var scale = RobustScale.Fit(features, weights);
        var z = features.Select(f => scale.Apply(f.Model)).ToArray();
        cancellationToken.ThrowIfCancellationRequested();

        var rank = Math.Min(options.Rank, Math.Min(EdgeFeature.Count - 1, perSource.Count - 1));
        PcaFrame frame;
        string model;
        if (rank < 1 || features.Count < 2 * EdgeFeature.Count)
        {
            frame = PcaFrame.Identity(EdgeFeature.Count);
            model = "robust distance (median/MAD), no PCA";
            notes.Add($"only {features.Count} edges from {perSource.Count} sources: too few to learn which features vary together; scored by robust distance alone");
        }
        else
        {
            frame = PcaFrame.Fit(z, weights, rank, options.Seed);
            model = $"ML.NET randomized PCA, rank {frame.Rank}, seed {options.Seed}, over {EdgeFeature.Count} robust-scaled features";
        }

        var scored = new EdgeAnomaly[features.Count];
        for (var i = 0; i < features.Count; i++)
        {
            if ((i & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            scored[i] = ScoreOne(features[i], z[i], frame, options);
        }

        Array.Sort(scored, (a, b) => b.Distance != a.Distance ? b.Distance.CompareTo(a.Distance) : a.Edge.CompareTo(b.Edge));
        return new AnomalyScores(scored, model, notes);
    }

    private static EdgeAnomaly ScoreOne(EdgeFeatures features, double[] z, PcaFrame frame, AnomalyOptions options)
    {
        var dims = z.Length;
        var centered = new double[dims];
        for (var f = 0; f < dims; f++)
        {
            centered[f] = z[f] - frame.Mean[f];
        }

        // d² = cᵀMc with M = Σ vⱼvⱼᵀ/λⱼ + (I − VVᵀ)/σ²; feature f contributes c_f·(Mc)_f, and these add up to d²
        var residual = (double[])centered.Clone();
        var mc = new double[dims];
        for (var j = 0; j < frame.Rank; j++)
        {
            var v = frame.Vectors[j];
            var p = PcaFrame.Dot(v, centered);
            for (var f = 0; f < dims; f++)
            {
                residual[f] -= p * v[f];
                mc[f] += v[f] * p / frame.Variances[j];
            }
        }

        double distance = 0;
        var contributions = new double[dims];
        for (var f = 0; f < dims; f++)
        {
            mc[f] += residual[f] / frame.ResidualVariance;
            contributions[f] = centered[f] * mc[f];
            distance += contributions[f];
        }

        distance = Math.Max(0, distance);
        var score = distance / (distance + HalfScoreDistance);
        return new EdgeAnomaly(features.Edge, score, distance, score >= options.FlagThreshold, Reasons(features, contributions, distance, options), features);
    }

    private static List<AnomalyReason> Reasons(EdgeFeatures features, double[] contributions, double distance, AnomalyOptions options)
    {
        // a feature can pull an edge toward normal (negative term); shares are of the terms that pushed it away
        double pushed = 0;
        foreach (var c in contributions)
        {
            pushed += Math.Max(0, c);
        }

        var reasons = new List<AnomalyReason>(options.MaxReasons);
        if (distance <= 0 || pushed <= 0)
        {
            return reasons;
        }

        // the largest shares first, ties by feature order: a small selection, no sorting of all features
        var taken = new bool[contributions.Length];
        while (reasons.Count < options.MaxReasons)
        {
            var best = -1;
            for (var f = 0; f < contributions.Length; f++)
            {
                if (!taken[f] && (best < 0 || contributions[f] > contributions[best]))
                {
                    best = f;
                }
            }

            var share = Math.Max(0, contributions[best]) / pushed;
            if (share < options.MinReasonShare)
            {
                break;
            }

            taken[best] = true;
            var feature = EdgeFeature.All[best];
            reasons.Add(new AnomalyReason(feature.Name, Math.Round(features.Raw[best], 4), Math.Round(share, 4), feature.Describe));
        }

        return reasons;
    }
}
