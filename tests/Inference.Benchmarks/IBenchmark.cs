namespace Inference.Benchmarks;

/// <summary>A benchmark prints its figures and the ratio to a baseline it measures in the same run, and says whether the target was met.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken);
}
