using System.Net;
using System.Text.Json;
using Inference.Cli.Tests.Suggest;
using Inference.Store;
using Inference.Store.Review;
using Inference.Testing.Scenarios;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Inference.Cli.Tests.Export;

/// <summary>`inference export` into a temporary git repository: branch, files, one commit, idempotence, ownership, path safety, push and PR.</summary>
public sealed class ExportCommandTests
{
    private const string Header = "# Managed by Inference";

    [Fact]
    public async Task Export_writes_one_commit_on_a_new_branch_whose_yaml_allows_exactly_the_observed_traffic_and_leaves_the_checkout_alone()
    {
        var truth = HubbleWeek.Connections(days: 1);
        using var store = await ScenarioStore.ImportAsync(truth);
        using var repo = GitRepo.Create();
        File.WriteAllText(Path.Combine(repo.Path, "README.md"), "uncommitted edit\n");

        var (code, output, error) = await store.RunAsync("export", "--repo", repo.Path);
        Assert.True(code == 0, error);
        Assert.Contains("branch inference/policies (from main): commit", output, StringComparison.Ordinal);
        Assert.Contains("git -C " + repo.Path + " push -u origin inference/policies", output, StringComparison.Ordinal);
        Assert.Contains("gh pr create --base main --head inference/policies", output, StringComparison.Ordinal);

        // the user's checkout: still main, the uncommitted edit still there, main unchanged
        Assert.Equal("main", repo.Git("rev-parse", "--abbrev-ref", "HEAD").Trim());
        Assert.Equal("uncommitted edit\n", File.ReadAllText(Path.Combine(repo.Path, "README.md")));
        Assert.Equal(["README.md"], repo.Files("main"));
        Assert.Equal(2, repo.CommitCount("inference/policies"));
        Assert.Equal(repo.Git("rev-parse", "main").Trim(), repo.Git("rev-parse", "inference/policies~1").Trim());

        var files = repo.Files("inference/policies");
        Assert.Contains("policies/shop/frontend.yaml", files);
        Assert.Contains("policies/shop/_default-deny.yaml", files);
        Assert.Contains("policies/shop/kustomization.yaml", files);
        Assert.Contains("policies/kustomization.yaml", files);
        var kustomization = repo.Git("show", "inference/policies:policies/shop/kustomization.yaml");
        Assert.StartsWith(Header, kustomization, StringComparison.Ordinal);
        Assert.Contains("kind: Kustomization\nresources:\n- _default-deny.yaml\n", kustomization, StringComparison.Ordinal);

        var message = repo.Git("log", "-1", "--format=%B", "inference/policies");
        Assert.StartsWith("inference: ", message, StringComparison.Ordinal);
        Assert.Contains("Connections covered: ", message, StringComparison.Ordinal);
        Assert.Contains("What enforcing would break", message, StringComparison.Ordinal);
        Assert.Contains("Exposure", message, StringComparison.Ordinal);

        // the exported YAML, judged against the ground truth
        var dir = Path.Combine(store.Directory, "exported");
        foreach (var file in files.Where(f => f.StartsWith("policies/", StringComparison.Ordinal) && !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            var content = repo.Git("show", "inference/policies:" + file);
            Assert.StartsWith(Header, content, StringComparison.Ordinal);
            var target = Path.Combine(dir, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }

        var mismatches = GroundTruth.Mismatches(GroundTruth.Load(dir), truth);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(40)));
    }

    [Fact]
    public async Task A_second_export_with_the_same_data_changes_nothing_and_a_rejected_policy_changes_only_its_files()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        using var repo = GitRepo.Create();
        Assert.Equal(0, (await store.RunAsync("export", "--repo", repo.Path)).Code);
        var first = repo.Git("rev-parse", "inference/policies").Trim();

        var (code, output, _) = await store.RunAsync("export", "--repo", repo.Path);
        Assert.Equal(0, code);
        Assert.Contains("unchanged, no commit", output, StringComparison.Ordinal);
        Assert.Equal(first, repo.Git("rev-parse", "inference/policies").Trim());

        using (var db = InferenceStore.Open(store.Db))
        {
            ReviewStore.Append(db.Connection, "shop", "cart", "", null, ReviewStore.Rejected, "cart is moving to another cluster", "alice", DateTimeOffset.UtcNow);
        }

        Assert.Equal(0, (await store.RunAsync("export", "--repo", repo.Path)).Code);
        var changed = repo.Git("diff", "--name-status", first, "inference/policies").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["D\tpolicies/shop/cart.yaml", "M\tpolicies/shop/kustomization.yaml"], changed);
        Assert.Contains("cart is moving to another cluster", repo.Git("log", "-1", "--format=%B", "inference/policies"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approved_only_exports_just_the_approved_policies()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        using (var db = InferenceStore.Open(store.Db))
        {
            ReviewStore.Append(db.Connection, "shop", "frontend", "", null, ReviewStore.Approved, "", "bob", DateTimeOffset.UtcNow);
        }

        using var repo = GitRepo.Create();
        var body = Path.Combine(store.Directory, "pr.md");
        Assert.Equal(0, (await store.RunAsync("export", "--repo", repo.Path, "--approved-only", "--pr-body", body, "--format", "cilium", "--path", "clusters/prod/netpol")).Code);
        var files = repo.Files("inference/policies").Where(f => f != "README.md").ToList();
        Assert.Equal(["clusters/prod/netpol/kustomization.yaml", "clusters/prod/netpol/shop/frontend.yaml", "clusters/prod/netpol/shop/kustomization.yaml"], files);
        Assert.Contains("kind: CiliumNetworkPolicy", repo.Git("show", "inference/policies:clusters/prod/netpol/shop/frontend.yaml"), StringComparison.Ordinal);
        var text = File.ReadAllText(body);
        Assert.Contains("| `shop/frontend` | approved by bob |", text, StringComparison.Ordinal);
        Assert.Contains("not approved yet", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_never_overwrites_a_file_it_does_not_own_and_never_writes_outside_the_repository()
    {
        // flow data naming a namespace and a workload like paths
        var evil = ScenarioEndpoint.ForPod("../../escape", "../../../etc/passwd", "Deployment", "evil-1", "10.0.9.1", "app=evil");
        var web = ScenarioEndpoint.ForPod("web", "front", "Deployment", "front-1", "10.0.9.2", "app=front");
        var t = HubbleWeek.Start.AddHours(1);
        using var store = await ScenarioStore.ImportAsync([new ScenarioConnection(evil, web, "TCP", 80, 40000, t, "FORWARDED")]);
        using var repo = GitRepo.Create();
        Directory.CreateDirectory(Path.Combine(repo.Path, "policies", "web"));
        File.WriteAllText(Path.Combine(repo.Path, "policies", "web", "front-1.yaml"), "# hand written\n");
        File.WriteAllText(Path.Combine(repo.Path, "policies", "web", "notes.md"), "notes\n");
        repo.Git("add", "policies");
        repo.Git("commit", "--quiet", "-m", "hand written policy");

        var (code, output, error) = await store.RunAsync("export", "--repo", repo.Path);
        Assert.True(code == 0, error);
        Assert.True(output.Contains("skipped policies/web/front-1.yaml", StringComparison.Ordinal), output);
        Assert.Equal("# hand written\n", repo.Git("show", "inference/policies:policies/web/front-1.yaml"));
        Assert.Equal("notes\n", repo.Git("show", "inference/policies:policies/web/notes.md"));
        foreach (var file in repo.Files("inference/policies"))
        {
            Assert.DoesNotContain("..", file, StringComparison.Ordinal);
            Assert.True(file == "README.md" || file.StartsWith("policies/", StringComparison.Ordinal), file);
        }

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(repo.Path)!, "escape")));

        foreach (var bad in new[] { "../outside", "/tmp/abs", ".git/hooks", "a/../../b" })
        {
            var (badCode, _, badError) = await store.RunAsync("export", "--repo", repo.Path, "--path", bad, "--branch", "other");
            Assert.Equal(1, badCode);
            Assert.Contains("--path", badError, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Push_with_a_token_pushes_and_opens_the_pull_request_then_updates_it_without_printing_the_token()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        using var repo = GitRepo.Create();
        var remote = Directory.CreateTempSubdirectory("inference-export-remote-").FullName;
        repo.Git("init", "--quiet", "--bare", remote);
        repo.Git("remote", "add", "origin", remote);

        var requests = new List<(string Method, string Path, string Auth, string Body)>();
        await using var github = await FakeGitHubAsync(requests);
        const string token = "ghp_secret_value_never_printed";
        Environment.SetEnvironmentVariable("INFERENCE_TEST_GH_TOKEN", token);
        try
        {
            var args = new[] { "export", "--repo", repo.Path, "--push", "--github", "acme/gitops", "--github-token-env", "INFERENCE_TEST_GH_TOKEN", "--github-api-url", github.Url };
            var (code, output, error) = await store.RunAsync(args);
            Assert.True(code == 0, error);
            Assert.Contains("pull request: https://github.example/acme/gitops/pull/7", output, StringComparison.Ordinal);
            Assert.DoesNotContain(token, output + error, StringComparison.Ordinal);
            Assert.Equal(repo.Git("rev-parse", "inference/policies").Trim(), repo.Git("--git-dir", remote, "rev-parse", "inference/policies").Trim());
            var create = Assert.Single(requests);
            Assert.Equal(("POST", "/repos/acme/gitops/pulls", "Bearer " + token), (create.Method, create.Path, create.Auth));
            using var json = JsonDocument.Parse(create.Body);
            Assert.Equal("inference/policies", json.RootElement.GetProperty("head").GetString());
            Assert.Equal("main", json.RootElement.GetProperty("base").GetString());
            Assert.Contains("Connections covered", json.RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);

            // again: the PR exists (422), so it is found and updated
            Assert.Equal(0, (await store.RunAsync(args)).Code);
            Assert.Equal(["POST", "POST", "GET", "PATCH"], requests.Select(r => r.Method));
            Assert.Equal("/repos/acme/gitops/pulls/7", requests[^1].Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable("INFERENCE_TEST_GH_TOKEN", null);
            Directory.Delete(remote, recursive: true);
        }
    }

    [Fact]
    public async Task Errors_are_one_clear_line()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        var notRepo = Directory.CreateTempSubdirectory("inference-not-a-repo-").FullName;
        var (code, _, error) = await store.RunAsync("export", "--repo", notRepo);
        Assert.Equal(1, code);
        Assert.Contains("not a git working copy", error, StringComparison.Ordinal);

        using var repo = GitRepo.Create();
        (code, _, error) = await store.RunAsync("export", "--repo", repo.Path, "--base", "nope");
        Assert.Equal(1, code);
        Assert.Contains("--base nope: no such branch", error, StringComparison.Ordinal);
        (code, _, error) = await store.RunAsync("export", "--repo", repo.Path, "--github", "not a repo");
        Assert.Equal(1, code);
        Assert.Contains("expected OWNER/REPO", error, StringComparison.Ordinal);
    }

    private sealed class FakeGitHub(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<FakeGitHub> FakeGitHubAsync(List<(string, string, string, string)> requests)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var created = false;
        app.Run(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (requests)
            {
                requests.Add((context.Request.Method, context.Request.Path.Value!, context.Request.Headers.Authorization.ToString(), body));
            }

            context.Response.ContentType = "application/json";
            var html = "{\"number\":7,\"html_url\":\"https://github.example/acme/gitops/pull/7\"}";
            switch (context.Request.Method)
            {
                case "POST" when !created:
                    created = true;
                    context.Response.StatusCode = (int)HttpStatusCode.Created;
                    await context.Response.WriteAsync(html);
                    break;
                case "POST":
                    context.Response.StatusCode = 422;
                    await context.Response.WriteAsync("{\"message\":\"A pull request already exists\"}");
                    break;
                case "GET":
                    await context.Response.WriteAsync("[" + html + "]");
                    break;
                default:
                    await context.Response.WriteAsync(html);
                    break;
            }
        });
        await app.StartAsync();
        return new FakeGitHub(app, app.Urls.First());
    }
}
