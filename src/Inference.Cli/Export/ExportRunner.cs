using System.Text;
using Inference.Core.Review;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Export;

/// <summary>
/// Writes the reviewed suggestion into a git working copy as one commit on its own branch. The work happens in a
/// temporary <c>git worktree</c>, so the user's checkout, index and uncommitted files are never touched; only files
/// carrying the managed-by header are written or removed; an export that changes no file makes no commit.
/// </summary>
internal sealed partial class ExportRunner(ILogger logger)
{
    public async Task<ExportResult> RunAsync(ExportRequest request, ExportInputs inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!Directory.Exists(request.Repository))
        {
            throw new CliException($"--repo {request.Repository}: no such directory");
        }

        var subdirectory = ExportFiles.Subdirectory(request.Subdirectory);
        var (topCode, top, _) = await new GitCli(request.Repository).TryRunAsync(cancellationToken, "rev-parse", "--show-toplevel");
        if (topCode != 0)
        {
            throw new CliException($"--repo {request.Repository}: not a git working copy (git init, or clone your GitOps repository first)");
        }

        var root = new GitCli(top.Trim());
        if ((await root.TryRunAsync(cancellationToken, "check-ref-format", "--branch", request.Branch)).Code != 0 || request.Branch.StartsWith('-'))
        {
            throw new CliException($"--branch {request.Branch}: not a valid branch name");
        }

        var current = (await root.TryRunAsync(cancellationToken, "symbolic-ref", "--short", "-q", "HEAD")).Output.Trim();
        var baseRef = request.Base ?? (current.Length > 0 ? current : throw new CliException("the repository is on a detached HEAD: pass --base BRANCH"));
        if (baseRef.StartsWith('-') || (await root.TryRunAsync(cancellationToken, "rev-parse", "--verify", "--quiet", baseRef + "^{commit}")).Code != 0)
        {
            throw new CliException($"--base {baseRef}: no such branch or commit in {root.WorkingDirectory} (a new repository needs a first commit)");
        }

        if (current == request.Branch)
        {
            throw new CliException($"the repository has {request.Branch} checked out: switch to another branch (export writes it in a worktree of its own)");
        }

        var exists = (await root.TryRunAsync(cancellationToken, "rev-parse", "--verify", "--quiet", "refs/heads/" + request.Branch)).Code == 0;
        var worktree = Path.Combine(Path.GetTempPath(), "inference-export-" + Guid.NewGuid().ToString("N"));
        if (exists)
        {
            await root.RunAsync(cancellationToken, "worktree", "add", "--quiet", worktree, request.Branch);
        }
        else
        {
            await root.RunAsync(cancellationToken, "worktree", "add", "--quiet", "-b", request.Branch, worktree, baseRef);
        }

        try
        {
            return await WriteAndCommitAsync(request, inputs, root, new GitCli(worktree), subdirectory, baseRef, cancellationToken);
        }
        finally
        {
            await root.TryRunAsync(CancellationToken.None, "worktree", "remove", "--force", worktree);
            await root.TryRunAsync(CancellationToken.None, "worktree", "prune");
        }
    }

    private async Task<ExportResult> WriteAndCommitAsync(ExportRequest request, ExportInputs inputs, GitCli root, GitCli tree, string subdirectory,
        string baseRef, CancellationToken cancellationToken)
    {
        var reviews = ReviewPlan.Apply(inputs.Suggestion, inputs.Decisions, request.ApprovedOnly);
        var planned = ExportFiles.Build(reviews, request.Format, subdirectory);
        var body = PullRequestText.Body(inputs.Suggestion, reviews, inputs.Gaps);
        var treeRoot = Path.GetFullPath(tree.WorkingDirectory);

        // what we own today: tracked files under SUBDIR that start with the header
        var owned = new SortedSet<string>(StringComparer.Ordinal);
        var listed = await tree.RunAsync(cancellationToken, "ls-files", "-z", "--", subdirectory);
        foreach (var file in listed.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Inside(treeRoot, file);
            if (File.Exists(full) && ExportFiles.IsManaged(await File.ReadAllTextAsync(full, cancellationToken)))
            {
                owned.Add(file);
            }
        }

        List<string> added = [], changed = [], removed = [], skipped = [];
        foreach (var (path, content) in planned)
        {
            var full = Inside(treeRoot, path);
            if (File.Exists(full))
            {
                var existing = await File.ReadAllTextAsync(full, cancellationToken);
                if (!ExportFiles.IsManaged(existing))
                {
                    skipped.Add(path);
                    LogSkipped(logger, path);
                    continue;
                }

                if (existing == content)
                {
                    continue;
                }

                changed.Add(path);
            }
            else
            {
                added.Add(path);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, new UTF8Encoding(false), cancellationToken);
        }

        foreach (var path in owned.Where(p => !planned.ContainsKey(p)))
        {
            File.Delete(Inside(treeRoot, path));
            removed.Add(path);
        }

        if (request.PullRequestBodyFile is { } bodyFile)
        {
            await File.WriteAllTextAsync(bodyFile, body, new UTF8Encoding(false), cancellationToken);
        }

        string? commit = null;
        if (added.Count + changed.Count + removed.Count > 0)
        {
            await tree.RunAsync(cancellationToken, ["add", "-A", "--", .. added, .. changed, .. removed]);
            var exported = reviews.Count(r => r.Exported);
            var message = Path.Combine(Path.GetTempPath(), "inference-commit-" + Guid.NewGuid().ToString("N") + ".txt");
            await File.WriteAllTextAsync(message, PullRequestText.Summary(exported, added, changed, removed) + "\n\n" + body, new UTF8Encoding(false), cancellationToken);
            try
            {
                var identity = (await tree.TryRunAsync(cancellationToken, "config", "user.email")).Code == 0
                    ? Array.Empty<string>()
                    : ["-c", "user.name=Inference", "-c", "user.email=inference@localhost"];
                await tree.RunAsync(cancellationToken, [.. identity, "commit", "--quiet", "--no-verify", "-F", message]);
            }
            finally
            {
                File.Delete(message);
            }

            commit = (await tree.RunAsync(cancellationToken, "rev-parse", "HEAD")).Trim();
        }

        string? url = null;
        var next = new List<string>();
        if (request.Push)
        {
            await tree.RunAsync(cancellationToken, "push", "--quiet", "-u", request.Remote, request.Branch);
            var token = Environment.GetEnvironmentVariable(request.GitHubTokenVariable);
            if (request.GitHubRepository is { } gh && !string.IsNullOrEmpty(token))
            {
                url = await GitHubPullRequests.OpenOrUpdateAsync(request.GitHubApiUrl, gh, token, request.Branch, baseRef, PullRequestText.Title, body, cancellationToken);
            }
            else
            {
                next.Add(PrCommand(request, baseRef));
            }
        }
        else
        {
            next.Add($"git -C {Quote(root.WorkingDirectory)} push -u {Quote(request.Remote)} {Quote(request.Branch)}");
            next.Add(PrCommand(request, baseRef));
        }

        return new ExportResult(request.Branch, baseRef, commit, added, changed, removed, skipped, body, next, url);
    }

    private static string PrCommand(ExportRequest request, string baseRef)
    {
        var repo = request.GitHubRepository is { } gh ? $" --repo {Quote(gh)}" : "";
        var bodyArg = request.PullRequestBodyFile is { } f ? $"--body-file {Quote(Path.GetFullPath(f))}" : "--body-file PR_BODY.md  # write it with --pr-body PR_BODY.md";
        return $"gh pr create{repo} --base {Quote(baseRef)} --head {Quote(request.Branch)} --title {Quote(PullRequestText.Title)} {bodyArg}";
    }

    /// <summary>POSIX shell single quotes: the printed commands are safe to paste whatever the names contain.</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or ':' or '=') ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The full path of a repository-relative path; throws when it would leave the working copy.</summary>
    public static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal) || relative.Split('/').Any(s => s is ".." or ".git"))
        {
            throw new CliException($"refusing to write {relative}: outside the repository");
        }

        return full;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} exists without the managed-by header: left as it is (remove it or add the header for inference to manage it)")]
    private static partial void LogSkipped(ILogger logger, string path);
}
