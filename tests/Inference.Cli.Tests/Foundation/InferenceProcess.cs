using System.Diagnostics;

namespace Inference.Cli.Tests.Foundation;

/// <summary>The <c>inference</c> executable as a real child process, for tests that need one (signals, pipes, a server).</summary>
internal static class InferenceProcess
{
    /// <summary>
    /// <c>dotnet inference.dll ARGS</c> from the test's bin directory, under the dotnet host the test runs on, with
    /// stdin, stdout and stderr redirected.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "inference.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
