using System.Text.Json;
using Inference.Cli.Export;
using Inference.Cli.Serve;
using Inference.Core.Inference;
using Inference.Store;

namespace Inference.Cli.Tests.Coverage;

/// <summary>The review page's data flags the rules behind the injected scan and states the window's coverage.</summary>
public sealed class ReviewPageFlagTests(AuditWeekStore week) : IClassFixture<AuditWeekStore>
{
    [Fact]
    public void The_review_data_flags_rules_resting_only_on_anomalous_edges_and_leads_the_gaps_with_coverage()
    {
        using var store = InferenceStore.Open(week.Path);
        var inputs = ExportInputs.Load(store, store.Connection, new SuggestOptions(), CancellationToken.None);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            ReviewJson.Write(json, inputs, exportConfigured: false);
        }

        var page = JsonDocument.Parse(stream.ToArray()).RootElement;
        var rules = page.GetProperty("namespaces").EnumerateArray()
            .SelectMany(n => n.GetProperty("policies").EnumerateArray())
            .SelectMany(p => p.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Contains(rules, r => r.GetProperty("reviewBeforeAllowing").GetBoolean());
        Assert.Contains(rules, r => !r.GetProperty("reviewBeforeAllowing").GetBoolean());
        Assert.StartsWith("coverage ", page.GetProperty("gaps")[0].GetString(), StringComparison.Ordinal);
    }
}
