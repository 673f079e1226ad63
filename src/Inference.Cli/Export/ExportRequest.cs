using Inference.Core.Inference;

namespace Inference.Cli.Export;

/// <summary>What <c>inference export</c> (and the page's export button) writes, where, and whether it pushes.</summary>
internal sealed record ExportRequest
{
    public const string DefaultBranch = "inference/policies";
    public const string DefaultSubdirectory = "policies";

    public required string Repository { get; init; }
    public string Branch { get; init; } = DefaultBranch;

    /// <summary>Null: the repository's current branch.</summary>
    public string? Base { get; init; }

    public SuggestFormat Format { get; init; } = SuggestFormat.Kubernetes;
    public string Subdirectory { get; init; } = DefaultSubdirectory;
    public bool ApprovedOnly { get; init; }
    public string? PullRequestBodyFile { get; init; }
    public bool Push { get; init; }
    public string Remote { get; init; } = "origin";

    /// <summary>OWNER/REPO on GitHub; with <see cref="Push"/> and a token the pull request is opened or updated.</summary>
    public string? GitHubRepository { get; init; }

    public string GitHubTokenVariable { get; init; } = "GITHUB_TOKEN";
    public string GitHubApiUrl { get; init; } = "https://api.github.com";
}

/// <summary>What an export did.</summary>
internal sealed record ExportResult(
    string Branch,
    string Base,
    string? Commit,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Skipped,
    string PullRequestBody,
    IReadOnlyList<string> NextCommands,
    string? PullRequestUrl)
{
    public bool Unchanged => Commit is null;
}
