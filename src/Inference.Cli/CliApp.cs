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
        var config = new InvocationConfiguration { Output = output, Error = error };
        var parseResult = Build().Parse(args);
        try
        {
            return await parseResult.InvokeAsync(config, cancellationToken);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ex.ExitCode;
        }
    }
}
