using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Inference.Core.Anomalies;

/// <summary>
/// The normal subspace learned by ML.NET's randomized PCA over the window's robust-scaled features: the directions along
/// which normal edges vary together (a busy edge is busy in connections, hours and days at once). Distance along them is
/// discounted by their variance; distance off them is what PCA anomaly detection calls reconstruction error.
/// </summary>
internal sealed class PcaFrame
{
    /// <summary>Training rows are clipped to this many robust deviations, so a scan cannot become a principal direction.</summary>
    public const double TrainingClip = 3;

    /// <summary>No direction is trusted to be tighter than one robust deviation.</summary>
    private const double MinVariance = 1;

    private PcaFrame(double[] mean, double[][] vectors, double[] variances, double residualVariance)
    {
        Mean = mean;
        Vectors = vectors;
        Variances = variances;
        ResidualVariance = residualVariance;
    }

    public double[] Mean { get; }
    public double[][] Vectors { get; }
    public double[] Variances { get; }
    public double ResidualVariance { get; }
    public int Rank => Vectors.Length;

    /// <summary>A frame with no learned directions: plain robust distance (too few edges to learn from).</summary>
    public static PcaFrame Identity(int dimensions) => new(new double[dimensions], [], [], MinVariance);

    public static PcaFrame Fit(IReadOnlyList<double[]> z, double[] weights, int rank, int seed)
    {
        var dims = EdgeFeature.Count;
        var rows = new PcaRow[z.Count];
        for (var i = 0; i < z.Count; i++)
        {
            var features = new float[dims];
            for (var f = 0; f < dims; f++)
            {
                features[f] = (float)Math.Clamp(z[i][f], -TrainingClip, TrainingClip);
            }

            rows[i] = new PcaRow { Features = features, Weight = (float)weights[i] };
        }

        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(new RandomizedPcaTrainer.Options
        {
            FeatureColumnName = nameof(PcaRow.Features),
            ExampleWeightColumnName = nameof(PcaRow.Weight),
            Rank = rank,
            EnsureZeroMean = true,
            Seed = seed,
        });
        var model = trainer.Fit(data).Model;

        VBuffer<float> meanBuffer = default;
        model.GetMean(ref meanBuffer);
        var mean = new double[dims];
        foreach (var (i, v) in meanBuffer.Items())
        {
            mean[i] = v;
        }

        VBuffer<float>[]? eigen = null;
        model.GetEigenVectors(ref eigen, out var learned);
        var vectors = new double[learned][];
        for (var j = 0; j < learned; j++)
        {
            vectors[j] = new double[dims];
            foreach (var (i, v) in eigen![j].Items())
            {
                vectors[j][i] = v;
            }
        }

        return WithVariances(mean, vectors, rows, weights);
    }

    /// <summary>The weighted variance of the training rows along each direction and off the subspace.</summary>
    private static PcaFrame WithVariances(double[] mean, double[][] vectors, PcaRow[] rows, double[] weights)
    {
        var dims = mean.Length;
        var along = new double[vectors.Length];
        double residual = 0, total = 0;
        var centered = new double[dims];
        for (var i = 0; i < rows.Length; i++)
        {
            for (var f = 0; f < dims; f++)
            {
                centered[f] = rows[i].Features[f] - mean[f];
            }

            var energy = Dot(centered, centered);
            for (var j = 0; j < vectors.Length; j++)
            {
                var p = Dot(vectors[j], centered);
                along[j] += weights[i] * p * p;
                energy -= p * p;
            }

            residual += weights[i] * Math.Max(0, energy);
            total += weights[i];
        }

        total = Math.Max(total, double.Epsilon);
        var variances = along.Select(a => Math.Max(a / total, MinVariance)).ToArray();
        var residualVariance = Math.Max(residual / total / Math.Max(1, dims - vectors.Length), MinVariance);
        return new PcaFrame(mean, vectors, variances, residualVariance);
    }

    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private sealed class PcaRow
    {
        [VectorType(EdgeFeature.Count)]
        public float[] Features { get; set; } = [];

        public float Weight { get; set; }
    }
}
