using System.CommandLine;

namespace Inference.Cli.Commands;

/// <summary>Options every command accepts.</summary>
public static class GlobalOptions
{
    public const string DbEnvironmentVariable = "INFERENCE_DB";

    public static readonly Option<string> Db = new("--db")
    {
        Description = $"Path of the DuckDB store (env {DbEnvironmentVariable})",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DbEnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv : "inference.duckdb",
        HelpName = "PATH",
    };

    /// <summary><c>-o table|json</c>, the way kubectl spells it.</summary>
    public static Option<string> Output(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join("|", formats)}",
            DefaultValueFactory = _ => defaultFormat,
            HelpName = "FORMAT",
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }
}
