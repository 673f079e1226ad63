using Inference.Core.Anomalies;
using Inference.Core.Coverage;
using Inference.Core.Inference.Rules;

namespace Inference.Cli.Suggest;

/// <summary>
/// What a reviewer should know about a suggestion beyond its correctness: whether the window was long enough
/// (coverage) and which rules rest only on anomalous edges ("review before allowing": listed, never silently dropped).
/// </summary>
internal sealed record SuggestionReview(AnomalyScores Scores, CoverageReport Coverage)
{
    public bool ReviewBeforeAllowing(SuggestedRule rule) => Scores.OnlyAnomalousEvidence(rule.Evidence.Edges);

    public double MaxScore(SuggestedRule rule) => rule.Evidence.Edges.Select(e => Scores.For(e)?.Score ?? 0).DefaultIfEmpty(0).Max();
}
