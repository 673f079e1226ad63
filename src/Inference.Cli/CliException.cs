namespace Inference.Cli;

/// <summary>An error the user can fix (a bad flag, an unreadable file): printed as one line, no stack trace.</summary>
public sealed class CliException(string message, int exitCode = 1, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
