namespace Inference.Benchmarks;

/// <summary>Every benchmark, one line each.</summary>
internal static class BenchmarkCatalog
{
    public static IReadOnlyList<IBenchmark> All { get; } =
    [
        new Hubble.HubbleFileImportBenchmark(),
        new Hubble.HubbleLiveIngestBenchmark(),
        new Hubble.HubbleStorageBenchmark(),
        new Evaluator.EvaluatorBenchmark(),
        new Anomalies.AnomalyBenchmark(),
        new Calico.CalicoBenchmark(),
        new Suggest.SuggestBenchmark(),
    ];
}
