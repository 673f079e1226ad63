using DuckDB.NET.Data;
using Inference.Cli.Output;
using Inference.Cli.Suggest;
using Inference.Core.Inference;
using Inference.Core.Review;
using Inference.Store;
using Inference.Store.Reading;
using Inference.Store.Review;

namespace Inference.Cli.Export;

/// <summary>What an export (and the review page) works from: the suggestion, the reviewers' decisions and the window's data gaps.</summary>
internal sealed record ExportInputs(Suggestion Suggestion, IReadOnlyList<ReviewDecision> Decisions, IReadOnlyList<string> Gaps)
{
    /// <summary>Coverage of the window and anomaly scores, for the review page's flags (null where not computed).</summary>
    public SuggestionReview? Review { get; init; }

    /// <summary>The observed window the suggestion was made from (for the deployed policies' diff on the review page).</summary>
    public Observations? Observed { get; init; }

    /// <summary>
    /// Reads the whole store. <paramref name="connection"/> is the connection the reads run on (the store's own, or a
    /// duplicate when a writer task owns the store's connection).
    /// </summary>
    public static ExportInputs Load(InferenceStore store, DuckDBConnection connection, SuggestOptions options, CancellationToken cancellationToken)
    {
        var observations = ObservationLoader.Load(store, new EdgeFilter { Namespaces = options.Namespaces }, cancellationToken);
        var suggestion = Suggester.Suggest(observations, options, cancellationToken);
        var review = SuggestionReview.Load(store, options.Namespaces, null, null, cancellationToken);
        return new ExportInputs(suggestion, LoadDecisions(connection), DescribeGaps(store.Reads.Status())) { Review = review, Observed = observations };
    }

    public static IReadOnlyList<ReviewDecision> LoadDecisions(DuckDBConnection connection) =>
        ReviewStore.Current(connection).Select(d => new ReviewDecision(d.Namespace, d.Policy, d.RuleKey,
            d.Decision == ReviewStore.Approved ? ReviewVerdict.Approved : ReviewVerdict.Rejected, d.Note, d.Actor, d.DecidedAt)).ToList();

    public static IReadOnlyList<string> DescribeGaps(StoreStatus status)
    {
        var gaps = new List<string>();
        foreach (var l in status.LostEvents)
        {
            gaps.Add($"{l.Source} node {l.Node}: {l.Count} events lost by {l.LostSource}" +
                (l.FirstLost is { } f ? $" ({EdgeJson.Time(f)} .. {EdgeJson.Time(l.LastLost ?? f)})" : ""));
        }

        foreach (var g in status.Gaps)
        {
            gaps.Add($"{g.Source}{(g.Node is null ? "" : " node " + g.Node)}: nothing read {EdgeJson.Time(g.From)} .. {EdgeJson.Time(g.To)} ({g.Reason})");
        }

        foreach (var n in status.UnavailableNodes)
        {
            gaps.Add($"{n.Source} node {n.Node}: {n.State}{(n.Message is null ? "" : " - " + n.Message)} at {EdgeJson.Time(n.ObservedAt)}");
        }

        return gaps;
    }
}
