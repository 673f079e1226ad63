using System.CommandLine;

namespace Inference.Cli.Commands;

/// <summary>Every top-level command, in the order `--help` lists them. One line per command.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return IngestCommand.Create();
        yield return EdgesCommand.Create();
        yield return StatusCommand.Create();
        yield return BridgeCommand.Create();
        yield return EvaluateCommand.Create();
        yield return DiffCommand.Create();
        yield return SuggestCommand.Create();
        yield return CoverageCommand.Create();
        yield return AnomaliesCommand.Create();
        yield return ServeCommand.Create();
        yield return ExportCommand.Create();
    }
}
