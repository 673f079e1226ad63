using Inference.Core.Anomalies;
using Inference.Core.Flows;
using Inference.Core.Tests.Coverage;
using static Inference.Core.Tests.Coverage.ActivityBuilder;

namespace Inference.Core.Tests.Anomalies;

public sealed class AnomalyDetectorTests
{
    [Fact]
    public void Injected_scan_and_exfiltration_rank_first_and_are_flagged()
    {
        var (window, injected) = SyntheticWeek.Build();
        var scores = AnomalyDetector.Score(window);
        Assert.Equal(window.Edges.Count, scores.Ranked.Count);
        var top = scores.Ranked.Take(injected.Count).ToList();
        Assert.All(top, a => Assert.Contains(a.Edge, injected));
        Assert.All(top, a => Assert.True(a.Flagged, $"{a.Edge} scored {a.Score}"));
        Assert.Equal(injected.Count, scores.Ranked.Count(a => a.Flagged));

        var exfil = scores.For(Edge(SyntheticWeek.Orders, SyntheticWeek.Drop, 443))!;
        Assert.Contains(exfil.Reasons, r => r.Feature == "burstiness");
        Assert.All(top.Where(a => a.Edge.Source == SyntheticWeek.Scanner), a => Assert.StartsWith("fanOut", a.Reasons[0].Feature, StringComparison.Ordinal));
    }

    [Fact]
    public void Periodic_jobs_are_not_flagged()
    {
        var (window, _) = SyntheticWeek.Build();
        var scores = AnomalyDetector.Score(window);
        var nightly = scores.Ranked.Single(a => a.Edge.Source == SyntheticWeek.Nightly);
        var weekly = scores.Ranked.Single(a => a.Edge.Source == SyntheticWeek.Weekly);
        Assert.False(nightly.Flagged);
        Assert.False(weekly.Flagged);
        Assert.True(nightly.Score < 0.5, $"nightly {nightly.Score}");
    }

    [Fact]
    public void Scores_are_seeded_and_deterministic_and_between_zero_and_one()
    {
        var (window, _) = SyntheticWeek.Build();
        var a = AnomalyDetector.Score(window, new AnomalyOptions { Seed = 7 });
        var b = AnomalyDetector.Score(window, new AnomalyOptions { Seed = 7 });
        Assert.Equal(a.Ranked.Select(x => (x.Edge, x.Score)), b.Ranked.Select(x => (x.Edge, x.Score)));
        Assert.All(a.Ranked, x => Assert.InRange(x.Score, 0, 1));
        Assert.All(a.Ranked, x => Assert.All(x.Reasons, r => Assert.InRange(r.Contribution, 0.1, 1)));
        Assert.Contains("randomized PCA", a.Model, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_whose_evidence_is_only_flagged_edges_needs_review()
    {
        var (window, injected) = SyntheticWeek.Build();
        var scores = AnomalyDetector.Score(window);
        var normal = window.Edges.First(e => !injected.Contains(e.Edge)).Edge;
        Assert.True(scores.OnlyAnomalousEvidence(injected.Take(3)));
        Assert.False(scores.OnlyAnomalousEvidence(injected.Take(3).Append(normal)));
        Assert.False(scores.OnlyAnomalousEvidence([]));
        Assert.True(scores.IsFlagged(injected.First()));
        Assert.False(scores.IsFlagged(normal));
    }

    [Fact]
    public void Too_few_edges_are_scored_by_robust_distance_with_a_note()
    {
        var b = new ActivityBuilder();
        b.Add(Edge(W("a", "x"), W("a", "y"), 80), Start);
        b.Add(Edge(W("a", "x"), W("a", "z"), 81), Start.AddHours(1));
        var scores = AnomalyDetector.Score(b.Build());
        Assert.Equal(2, scores.Ranked.Count);
        Assert.NotEmpty(scores.Notes);
        Assert.Empty(AnomalyDetector.Score(new ActivityBuilder().Build()).Ranked);
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        var (window, _) = SyntheticWeek.Build();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => AnomalyDetector.Score(window, null, cts.Token));
    }
}
