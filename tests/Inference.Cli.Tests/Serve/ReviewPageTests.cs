using System.Text.RegularExpressions;
using Inference.Cli.Tests.Export;
using Inference.Cli.Tests.Suggest;
using Inference.Testing.Scenarios;
using Microsoft.Playwright;

namespace Inference.Cli.Tests.Serve;

/// <summary>The review page in headless Debian chromium: a reviewer enters the token, approves a policy, exports, and the branch holds it.</summary>
public sealed partial class ReviewPageTests
{
    [GeneratedRegex(@"write token \(shown once; stored in \S+, mode 0600\): ([0-9a-f]{64})")]
    private static partial Regex TokenLine();

    [Fact]
    public async Task A_reviewer_approves_a_policy_in_the_page_and_exports_it_to_a_branch()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        using var repo = GitRepo.Create();
        var main = repo.Git("rev-parse", "main").Trim();
        // a deployed policy that isolates cart for ingress from everything but checkout: the page shows what it would break
        var deployed = Path.Combine(store.Directory, "deployed");
        Directory.CreateDirectory(deployed);
        File.WriteAllText(Path.Combine(deployed, "cart.yaml"), ServeDeployedTests.DenyCartIngress);
        await using var serve = await RunningServe.StartAsync(store.Db, "--export-repo", repo.Path, "--deployed", deployed);
        var token = TokenLine().Match(serve.Output).Groups[1].Value;
        Assert.True(token.Length == 64, serve.Output);

        var (browser, page) = await HeadlessChromium.OpenAsync();
        await using var _ = browser;
        await page.GotoAsync(serve.Url.ToString());
        var frontend = page.Locator("article.policy[data-policy='shop/frontend']");
        await Assertions.Expect(frontend.Locator("h3 .state")).ToHaveTextAsync("pending");
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("connections covered");
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("would deny 8 observed connections on 1 edges");
        var cartBreaks = page.Locator("article.policy[data-policy='shop/cart'] .deployed");
        await Assertions.Expect(cartBreaks.Locator("h4")).ToHaveTextAsync("The deployed policies would deny 8 observed connections here");
        await Assertions.Expect(cartBreaks.Locator("li")).ToContainTextAsync("shop/frontend (Deployment) -> shop/cart (Deployment) TCP/7070: 8 connections");
        await Assertions.Expect(frontend.Locator(".deployed")).ToHaveTextAsync("The deployed policies allow every observed connection of this workload.");
        await Assertions.Expect(page.Locator("#gaps")).ToContainTextAsync("deployed policies: no cluster snapshot");

        // writes without the token are refused by the page itself
        var policyActions = frontend.Locator(":scope > .actions");
        await policyActions.GetByRole(AriaRole.Button, new() { Name = "Approve policy" }).ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Enter the write token first");

        await page.Locator("#token").FillAsync(token);
        await page.Locator("#actor").FillAsync("carol");
        // one rule rejected in its row: the policy is then written without it
        var scrape = frontend.Locator("tr", new() { HasText = "prometheus" });
        await Assertions.Expect(frontend.Locator("pre")).ToContainTextAsync("port: 9090");
        await scrape.GetByRole(AriaRole.Textbox, new() { Name = "note" }).FillAsync("scrapes go through the mesh");
        await scrape.GetByRole(AriaRole.Button, new() { Name = "Reject rule" }).ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("rejected: shop/frontend — ingress from monitoring/");
        await Assertions.Expect(frontend.Locator("tr.withheld")).ToContainTextAsync("withheld: export writes the policy without this rule");
        await Assertions.Expect(frontend.Locator("pre")).Not.ToContainTextAsync("port: 9090");

        await policyActions.GetByRole(AriaRole.Textbox, new() { Name = "note" }).FillAsync("matches the frontend's design doc");
        await policyActions.GetByRole(AriaRole.Button, new() { Name = "Approve policy" }).ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("approved: shop/frontend");
        await Assertions.Expect(frontend.Locator("h3 .state")).ToHaveTextAsync("approved");
        await Assertions.Expect(frontend.Locator(":scope > .actions")).ToContainTextAsync("approved by carol");

        await page.Locator("#export").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync(new Regex(@"^Branch inference/policies: commit [0-9a-f]{12} \(3 added, 0 changed, 0 removed\)"));

        // the branch: one commit on main holding exactly the approved policy; the checkout untouched
        Assert.Equal("main", repo.Git("rev-parse", "--abbrev-ref", "HEAD").Trim());
        Assert.Equal(main, repo.Git("rev-parse", "inference/policies~1").Trim());
        Assert.Equal(["README.md", "policies/kustomization.yaml", "policies/shop/frontend.yaml", "policies/shop/kustomization.yaml"], repo.Files("inference/policies"));
        var yaml = repo.Git("show", "inference/policies:policies/shop/frontend.yaml");
        Assert.StartsWith("# Managed by Inference", yaml, StringComparison.Ordinal);
        Assert.Contains("kind: NetworkPolicy", yaml, StringComparison.Ordinal);
        Assert.Contains("(rejected by carol: scrapes go through the mesh)", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("port: 9090", yaml, StringComparison.Ordinal);
        Assert.Contains("| `shop/frontend` | approved by carol |", repo.Git("log", "-1", "--format=%B", "inference/policies"), StringComparison.Ordinal);

        // a second export from the page with nothing new changes nothing
        await page.Locator("#export").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToHaveTextAsync("Branch inference/policies: unchanged.");
        Assert.Equal(2, repo.CommitCount("inference/policies"));
    }

    [Fact]
    public async Task The_empty_page_says_what_to_do_and_that_export_is_not_configured()
    {
        var dir = Directory.CreateTempSubdirectory("inference-page-empty-").FullName;
        try
        {
            await EmptyPageAsync(Path.Combine(dir, "empty.duckdb"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task EmptyPageAsync(string db)
    {
        await using var serve = await RunningServe.StartAsync(db);
        var (browser, page) = await HeadlessChromium.OpenAsync();
        await using var _ = browser;
        await page.GotoAsync(serve.Url.ToString());
        await Assertions.Expect(page.Locator("#summary")).ToHaveTextAsync("No suggestions yet.");
        var empty = page.Locator("#content .empty");
        await Assertions.Expect(empty.Locator("h2")).ToHaveTextAsync("Nothing observed yet");
        await Assertions.Expect(empty).ToContainTextAsync("Configure a Hubble relay or a Kafka topic");
        await Assertions.Expect(page.Locator("#export")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#export")).ToHaveAttributeAsync("title", "set export.repo in the config to export from the page");
        Assert.Equal(0, await page.Locator("article.policy").CountAsync());
    }
}
