using System.Text.Json;

namespace Inference.Cli.Tests.Coverage;

/// <summary>`inference diff` says the window's coverage in its summary, so nobody trusts a window with holes.</summary>
public sealed class DiffCoverageTests(AuditWeekStore week) : IClassFixture<AuditWeekStore>
{
    [Fact]
    public async Task The_diff_summary_states_the_coverage_and_that_it_is_low()
    {
        var policy = Path.Combine(week.Folder, "deny-all.yaml");
        await File.WriteAllTextAsync(policy, """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            """);
        var (code, output, error) = await week.RunAsync("diff", "--deployed", policy, "-o", "json");
        Assert.True(code == 0, error);
        var notes = JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("notes").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notes, n => n.StartsWith("coverage ", StringComparison.Ordinal) && n.Contains("LOW", StringComparison.Ordinal));
    }
}
