using Inference.Cli.Export;
using Inference.Cli.Tests.Suggest;
using Inference.Core.Evaluation;
using Inference.Core.Inference;
using Inference.Core.Review;
using Inference.Store;
using Inference.Store.Review;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Export;

/// <summary>A rejected rule is left out of its policy while the rest is written; the PR and the file say which, why, and what it leaves.</summary>
public sealed class ExportRuleRejectionTests
{
    [Fact]
    public async Task A_rejected_rule_is_left_out_of_the_written_policy_its_traffic_is_denied_and_the_rest_still_allowed()
    {
        var truth = HubbleWeek.Connections(days: 1);
        using var store = await ScenarioStore.ImportAsync(truth);
        Reject(store, "frontend", r => r.Rule.Direction == PolicyDirection.Ingress && r.Text.Contains("prometheus", StringComparison.Ordinal), "scrapes go through the mesh");
        // cart's only ingress rule: what is left isolates cart for ingress, which must be said
        Reject(store, "cart", r => r.Rule.Direction == PolicyDirection.Ingress, "");

        using var repo = GitRepo.Create();
        var body = Path.Combine(store.Directory, "pr.md");
        var (code, _, error) = await store.RunAsync("export", "--repo", repo.Path, "--pr-body", body);
        Assert.True(code == 0, error);

        var frontend = repo.Git("show", "inference/policies:policies/shop/frontend.yaml");
        Assert.StartsWith(ExportFiles.ManagedHeader + "\n# withheld in review: ingress from monitoring/", frontend, StringComparison.Ordinal);
        Assert.Contains("(rejected by alice: scrapes go through the mesh)\n", frontend, StringComparison.Ordinal);
        Assert.DoesNotContain("port: 9090", frontend, StringComparison.Ordinal);
        Assert.Contains("port: 8080", frontend, StringComparison.Ordinal);

        var cart = repo.Git("show", "inference/policies:policies/shop/cart.yaml");
        Assert.True(cart.Contains("# NOTE: every ingress rule was rejected: this policy still lists Ingress in policyTypes, so once enforced shop/cart (Deployment) is isolated for ingress and this policy allows no ingress from anywhere\n", StringComparison.Ordinal), cart);
        Assert.Contains("\n  ingress: []\n", cart, StringComparison.Ordinal);
        Assert.Contains("  - Ingress\n", cart, StringComparison.Ordinal);

        var text = File.ReadAllText(body);
        Assert.Contains("### Rules withheld in review", text, StringComparison.Ordinal);
        Assert.Contains("rejected by alice: \"scrapes go through the mesh\"", text, StringComparison.Ordinal);
        Assert.Contains("rejected by alice (no note)", text, StringComparison.Ordinal);
        Assert.Contains("**every ingress rule was rejected:", text, StringComparison.Ordinal);
        Assert.Contains("of the observed allowed traffic, the 16 connections the 2 rules withheld in review covered (listed below);", text, StringComparison.Ordinal);
        Assert.DoesNotContain("withheld: rule", text, StringComparison.Ordinal);

        AssertExactlyTheReviewedTraffic(store, repo, truth);
    }

    [Fact]
    public async Task In_cilium_format_a_direction_left_without_rules_is_said_to_rest_on_the_namespace_default_deny()
    {
        var truth = HubbleWeek.Connections(days: 1);
        using var store = await ScenarioStore.ImportAsync(truth);
        Reject(store, "frontend", r => r.Rule.Direction == PolicyDirection.Ingress && r.Text.Contains("prometheus", StringComparison.Ordinal), "scrapes go through the mesh", SuggestFormat.Cilium);
        Reject(store, "cart", r => r.Rule.Direction == PolicyDirection.Ingress, "", SuggestFormat.Cilium);

        using var repo = GitRepo.Create();
        var (code, _, error) = await store.RunAsync("export", "--repo", repo.Path, "--format", "cilium");
        Assert.True(code == 0, error);
        var cart = repo.Git("show", "inference/policies:policies/shop/cart.yaml");
        Assert.Contains("kind: CiliumNetworkPolicy", cart, StringComparison.Ordinal);
        Assert.True(cart.Contains("# NOTE: every ingress rule was rejected: this policy no longer restricts ingress to shop/cart (Deployment); it is denied only where the namespace's default-deny policy is applied, otherwise allowed\n", StringComparison.Ordinal), cart);
        Assert.DoesNotContain("\n  ingress:", cart, StringComparison.Ordinal);
        Assert.Contains("\n  egress:", cart, StringComparison.Ordinal);
        Assert.Contains("policies/shop/_default-deny.yaml", repo.Files("inference/policies"));

        // with the namespace default-deny in the same export, the rejected traffic is denied and the rest allowed
        AssertExactlyTheReviewedTraffic(store, repo, truth);
    }

    /// <summary>The exported YAML judged by the evaluator: exactly the observed traffic minus what the rejected rules allowed.</summary>
    private static void AssertExactlyTheReviewedTraffic(ScenarioStore store, GitRepo repo, IReadOnlyList<ScenarioConnection> truth)
    {
        var dir = Path.Combine(store.Directory, "exported");
        foreach (var file in repo.Files("inference/policies").Where(f => f.StartsWith("policies/", StringComparison.Ordinal) && !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            var target = Path.Combine(dir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, repo.Git("show", "inference/policies:" + file));
        }

        var reviewed = truth.Select(c => (c.Source.Workload, c.Destination.Workload, c.Port) is ("prometheus", "frontend", 9090) or ("frontend", "cart", 7070)
            ? c with { Verdict = "DROPPED" } : c).ToList();
        var mismatches = GroundTruth.Mismatches(GroundTruth.Load(dir), reviewed);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(40)));
    }

    [Fact]
    public async Task Approved_only_writes_approved_policies_still_without_their_rejected_rules()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        Reject(store, "frontend", r => r.Rule.Direction == PolicyDirection.Ingress && r.Text.Contains("prometheus", StringComparison.Ordinal), "not from monitoring");
        Reject(store, "cart", r => r.Rule.Direction == PolicyDirection.Ingress, "pending a redesign");
        using (var db = InferenceStore.Open(store.Db))
        {
            ReviewStore.Append(db.Connection, "shop", "frontend", "", null, ReviewStore.Approved, "", "bob", DateTimeOffset.UtcNow);
        }

        using var repo = GitRepo.Create();
        var (code, _, error) = await store.RunAsync("export", "--repo", repo.Path, "--approved-only");
        Assert.True(code == 0, error);
        Assert.Equal(["README.md", "policies/kustomization.yaml", "policies/shop/frontend.yaml", "policies/shop/kustomization.yaml"], repo.Files("inference/policies"));
        var frontend = repo.Git("show", "inference/policies:policies/shop/frontend.yaml");
        Assert.Contains("(rejected by alice: not from monitoring)", frontend, StringComparison.Ordinal);
        Assert.DoesNotContain("port: 9090", frontend, StringComparison.Ordinal);
        var message = repo.Git("log", "-1", "--format=%B", "inference/policies");
        Assert.Contains("| `shop/frontend` | approved by bob |", message, StringComparison.Ordinal);
        Assert.Contains("\"not from monitoring\"", message, StringComparison.Ordinal);
        // cart is not approved: not written, and its rejected rule is not reported as withheld from a written policy
        Assert.DoesNotContain("pending a redesign", message, StringComparison.Ordinal);
        Assert.Contains("- `shop/cart`: not approved yet", message, StringComparison.Ordinal);
    }

    /// <summary>Rejects, as alice, the one rule of shop/<paramref name="policy"/> that <paramref name="which"/> picks out of the current suggestion.</summary>
    private static void Reject(ScenarioStore store, string policy, Func<RuleReview, bool> which, string note, SuggestFormat format = SuggestFormat.Kubernetes)
    {
        using var db = InferenceStore.Open(store.Db);
        var inputs = ExportInputs.Load(db, db.Connection, new SuggestOptions { Format = format }, CancellationToken.None);
        var review = ReviewPlan.Apply(inputs.Suggestion, inputs.Decisions, approvedOnly: false).Single(r => r.Policy.Namespace == "shop" && r.Policy.Name == policy);
        var rule = review.Rules.Where(which).Single();
        ReviewStore.Append(db.Connection, "shop", policy, rule.Key, rule.Text, ReviewStore.Rejected, note, "alice", DateTimeOffset.UtcNow);
    }
}
