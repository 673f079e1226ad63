using System.CommandLine;
using Inference.Cli.Commands;

namespace Inference.Cli;

/// <summary>Builds the command tree and runs it. Data goes to <c>output</c>, diagnostics to <c>error</c>.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Inference: Kubernetes flow-log audit and network-policy inference (Hubble, Calico).");
        root.Options.Add(GlobalOptions.Db);
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        // our own handler below: one clear line per error, the stack trace only with INFERENCE_DEBUG=1
        var parseResult = Build().Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parseResult.CommandResult.Command.Name == "serve")
        {
            // serve's host handles SIGTERM/Ctrl-C itself and bounds its graceful stop by shutdownSeconds; System.CommandLine
            // would end the process 2 s after the signal (exit 143), cutting the ingesters' flush and commit short
            config.ProcessTerminationTimeout = null;
        }

        try
        {
            return await parseResult.InvokeAsync(config, cancellationToken);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("interrupted");
            return 130;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("INFERENCE_DEBUG") != "1")
        {
            await error.WriteLineAsync($"error: {ex.Message} ({ex.GetType().Name}; set INFERENCE_DEBUG=1 for details)");
            return 1;
        }
    }
}
