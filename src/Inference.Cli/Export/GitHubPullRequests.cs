using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Inference.Cli.Export;

/// <summary>
/// Opens the pull request through the GitHub REST API, or updates the open one for the same branch. The token only
/// ever goes into the Authorization header: it is in no message, URL or log line.
/// </summary>
internal static partial class GitHubPullRequests
{
    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex OwnerRepo();

    public static void Validate(string ownerRepo)
    {
        if (!OwnerRepo().IsMatch(ownerRepo) || ownerRepo.Contains("..", StringComparison.Ordinal))
        {
            throw new CliException($"--github {ownerRepo}: expected OWNER/REPO");
        }
    }

    public static async Task<string> OpenOrUpdateAsync(string apiUrl, string ownerRepo, string token, string branch, string baseBranch, string title,
        string body, CancellationToken cancellationToken)
    {
        Validate(ownerRepo);
        using var http = new HttpClient { BaseAddress = new Uri(apiUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("inference", "1"));
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        var owner = ownerRepo[..ownerRepo.IndexOf('/', StringComparison.Ordinal)];
        var pulls = $"repos/{ownerRepo}/pulls";

        using var create = await http.PostAsJsonAsync(pulls, new Dictionary<string, string> { ["title"] = title, ["head"] = branch, ["base"] = baseBranch, ["body"] = body }, cancellationToken);
        if (create.IsSuccessStatusCode)
        {
            return await HtmlUrlAsync(create, cancellationToken);
        }

        if (create.StatusCode != HttpStatusCode.UnprocessableEntity)
        {
            throw new CliException($"GitHub API: creating the pull request on {ownerRepo} failed: {(int)create.StatusCode} {create.ReasonPhrase}");
        }

        // 422: one is already open for this branch; update its description
        using var list = await http.GetAsync($"{pulls}?state=open&head={Uri.EscapeDataString(owner + ":" + branch)}", cancellationToken);
        if (!list.IsSuccessStatusCode)
        {
            throw new CliException($"GitHub API: listing pull requests on {ownerRepo} failed: {(int)list.StatusCode} {list.ReasonPhrase}");
        }

        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync(cancellationToken));
        if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() == 0)
        {
            throw new CliException($"GitHub API refused the pull request for {branch} on {ownerRepo} (422) and none is open for it: is {baseBranch} the right base, and is the branch pushed?");
        }

        var number = doc.RootElement[0].GetProperty("number").GetInt64();
        using var patch = await http.PatchAsJsonAsync($"{pulls}/{number}", new Dictionary<string, string> { ["title"] = title, ["body"] = body }, cancellationToken);
        if (!patch.IsSuccessStatusCode)
        {
            throw new CliException($"GitHub API: updating pull request #{number} on {ownerRepo} failed: {(int)patch.StatusCode} {patch.ReasonPhrase}");
        }

        return await HtmlUrlAsync(patch, cancellationToken);
    }

    private static async Task<string> HtmlUrlAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return doc.RootElement.TryGetProperty("html_url", out var url) ? url.GetString() ?? "" : "";
    }
}
