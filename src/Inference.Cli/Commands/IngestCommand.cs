using System.CommandLine;

namespace Inference.Cli.Commands;

/// <summary><c>inference ingest hubble|calico</c>.</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var command = new Command("ingest", "Read flows into the store: from Hubble Relay or exported files, or Calico flow logs through Kafka");
        command.Subcommands.Add(IngestHubbleCommand.Create());
        command.Subcommands.Add(IngestCalicoCommand.Create());
        return command;
    }
}
