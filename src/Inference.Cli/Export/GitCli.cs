using System.Diagnostics;
using System.Text;

namespace Inference.Cli.Export;

/// <summary>
/// Runs the <c>git</c> executable with an argument list (never a shell, so nothing in a branch name or path is
/// interpreted), without prompts, and turns a failure into one clear CLI error.
/// </summary>
internal sealed class GitCli(string workingDirectory)
{
    public string WorkingDirectory { get; } = workingDirectory;

    public async Task<string> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var (code, output, error) = await TryRunAsync(cancellationToken, args);
        if (code != 0)
        {
            throw new CliException($"git {string.Join(' ', args)} failed in {WorkingDirectory}: {FirstLines(error.Length > 0 ? error : output)}");
        }

        return output;
    }

    public async Task<(int Code, string Output, string Error)> TryRunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // never wait for a password prompt or an editor
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_EDITOR"] = "true";
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CliException("cannot start git");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new CliException($"cannot run git ({ex.Message}): is git installed and on PATH?", 1, ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }

    private static string FirstLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" / ", lines.Take(3));
    }
}
