using Spectre.Console;
using Spectre.Console.Rendering;

namespace Inference.Cli.Output;

/// <summary>Renders Spectre tables to a command's output writer, without colour codes when it is not a terminal.</summary>
internal static class Tables
{
    public static void Write(TextWriter output, IRenderable renderable)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Max(Console.IsOutputRedirected ? 200 : SafeWidth(), 80);
        console.Write(renderable);
    }

    public static Table New(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public static void AddRow(Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "")).ToArray());

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 200;
        }
    }
}
