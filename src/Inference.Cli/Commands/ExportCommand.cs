using System.CommandLine;
using Inference.Cli.Export;
using Inference.Cli.Hosting;
using Inference.Core.Inference;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Commands;

/// <summary><c>inference export</c>: the reviewed suggestion as one commit on a branch of a GitOps repository, optionally pushed with a pull request.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "The git working copy to write into", Required = true, HelpName = "PATH" };
        var branch = new Option<string>("--branch") { Description = "Branch to write (created from --base when missing)", DefaultValueFactory = _ => ExportRequest.DefaultBranch, HelpName = "NAME" };
        var baseBranch = new Option<string?>("--base") { Description = "Branch the new branch starts from (default: the repository's current branch)", HelpName = "BRANCH" };
        var format = new Option<string>("--format") { Description = "Policy format: kubernetes|cilium|calico-staged", DefaultValueFactory = _ => "kubernetes", HelpName = "FORMAT" };
        format.AcceptOnlyFromAmong("kubernetes", "cilium", "calico-staged");
        var path = new Option<string>("--path") { Description = "Directory inside the repository: SUBDIR/<namespace>/<workload>.yaml", DefaultValueFactory = _ => ExportRequest.DefaultSubdirectory, HelpName = "SUBDIR" };
        var approvedOnly = new Option<bool>("--approved-only") { Description = "Only policies a reviewer approved (inference serve's page); rejected ones are never exported" };
        var prBody = new Option<string?>("--pr-body") { Description = "Also write the pull-request description to FILE", HelpName = "FILE" };
        var push = new Option<bool>("--push") { Description = "Push the branch (and with --github and a token, open or update the pull request)" };
        var github = new Option<string?>("--github") { Description = "GitHub repository for the pull request", HelpName = "OWNER/REPO" };
        var tokenEnv = new Option<string>("--github-token-env") { Description = "Environment variable holding the GitHub token", DefaultValueFactory = _ => "GITHUB_TOKEN", HelpName = "VAR" };
        var apiUrl = new Option<string>("--github-api-url") { Description = "GitHub API base URL (GitHub Enterprise: https://HOST/api/v3)", DefaultValueFactory = _ => "https://api.github.com", HelpName = "URL" };
        var command = new Command("export", "Write the reviewed policies into a git repository as one commit on a branch, and open the pull request")
        {
            repo, branch, baseBranch, format, path, approvedOnly, prBody, push, github, tokenEnv, apiUrl,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var config = parseResult.InvocationConfiguration;
            var request = new ExportRequest
            {
                Repository = Path.GetFullPath(parseResult.GetValue(repo)!),
                Branch = parseResult.GetValue(branch)!,
                Base = parseResult.GetValue(baseBranch),
                Format = Formats.Parse(parseResult.GetValue(format)!),
                Subdirectory = parseResult.GetValue(path)!,
                ApprovedOnly = parseResult.GetValue(approvedOnly),
                PullRequestBodyFile = parseResult.GetValue(prBody),
                Push = parseResult.GetValue(push),
                GitHubRepository = parseResult.GetValue(github),
                GitHubTokenVariable = parseResult.GetValue(tokenEnv)!,
                GitHubApiUrl = parseResult.GetValue(apiUrl)!,
            };
            if (request.GitHubRepository is { } gh)
            {
                GitHubPullRequests.Validate(gh);
            }

            ExportInputs inputs;
            using (var store = StoreAccess.Open(parseResult, readOnly: true))
            {
                inputs = ExportInputs.Load(store, store.Connection, new SuggestOptions { Format = request.Format }, cancellationToken);
            }

            if (inputs.Suggestion.Policies.Count == 0)
            {
                throw new CliException("no observed connections in the store: nothing to export (ingest flows first, or run inference serve)");
            }

            if (!inputs.Suggestion.Verification.Passed)
            {
                throw new CliException($"bug: the suggestion denies observed connections it was built from; nothing was exported (run inference suggest for details)", SuggestCommand.VerificationFailedExitCode);
            }

            using var loggers = CliLoggerProvider.CreateFactory(config.Error);
            var result = await new ExportRunner(loggers.CreateLogger("export")).RunAsync(request, inputs, cancellationToken);
            await ExportOutput.WriteAsync(config.Output, result);
            return 0;
        });
        return command;
    }
}
