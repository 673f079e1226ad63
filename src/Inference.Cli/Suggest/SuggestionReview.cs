using Inference.Core.Activity;
using Inference.Core.Anomalies;
using Inference.Core.Coverage;
using Inference.Core.Inference.Rules;
using Inference.Store;
using Inference.Store.Reading;

namespace Inference.Cli.Suggest;

/// <summary>
/// What a reviewer should know about a suggestion beyond its correctness: whether the window was long enough
/// (coverage) and which rules rest only on anomalous edges ("review before allowing": listed, never silently dropped).
/// </summary>
internal sealed record SuggestionReview(AnomalyScores Scores, CoverageReport Coverage)
{
    /// <summary>The window's activity, read once for scoring and coverage.</summary>
    public static WindowActivity Window(InferenceStore store, IReadOnlyList<string> namespaces, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken) =>
        store.ReadWindow(new ActivityFilter { Namespaces = namespaces, Since = since, Until = until }, cancellationToken);

    /// <summary>Scores and measures the same window the suggestion was built from.</summary>
    public static SuggestionReview Load(InferenceStore store, IReadOnlyList<string> namespaces, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var window = Window(store, namespaces, since, until, cancellationToken);
        return new SuggestionReview(AnomalyDetector.Score(window, new AnomalyOptions(), cancellationToken), CoverageAnalyzer.Analyze(window, new CoverageOptions(), cancellationToken));
    }

    /// <summary>The coverage headline, with low coverage said plainly and what it means for the reader.</summary>
    public static string CoverageLine(CoverageReport coverage, string lowConsequence) =>
        coverage.Headline + (coverage.IsLow ? " -- LOW: " + lowConsequence : "");

    public bool ReviewBeforeAllowing(SuggestedRule rule) => Scores.OnlyAnomalousEvidence(rule.Evidence.Edges);

    public double MaxScore(SuggestedRule rule) => rule.Evidence.Edges.Select(e => Scores.For(e)?.Score ?? 0).DefaultIfEmpty(0).Max();
}
