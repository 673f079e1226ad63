using System.Diagnostics;

namespace Inference.Cli.Tests.Export;

/// <summary>A temporary git repository with one commit on <c>main</c>, and git run on it from tests.</summary>
internal sealed class GitRepo : IDisposable
{
    private GitRepo(string path) => Path = path;

    public string Path { get; }

    public static GitRepo Create()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("inference-export-repo-").FullName;
        var repo = new GitRepo(dir);
        repo.Git("init", "--quiet", "-b", "main");
        repo.Git("config", "user.email", "test@example.com");
        repo.Git("config", "user.name", "Test");
        File.WriteAllText(System.IO.Path.Combine(dir, "README.md"), "gitops\n");
        repo.Git("add", "README.md");
        repo.Git("commit", "--quiet", "-m", "initial");
        return repo;
    }

    public string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    public IReadOnlyList<string> Files(string branch) =>
        Git("ls-tree", "-r", "--name-only", branch).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public int CommitCount(string branch) => int.Parse(Git("rev-list", "--count", branch).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // left to the OS
        }
    }
}
