using System.CommandLine;
using Inference.Store;

namespace Inference.Cli.Commands;

/// <summary>Opens the store named by <c>--db</c>, turning store errors into one-line CLI errors.</summary>
internal static class StoreAccess
{
    public static InferenceStore Open(ParseResult parseResult, bool readOnly)
    {
        var path = parseResult.GetValue(GlobalOptions.Db)!;
        try
        {
            return InferenceStore.Open(path, new StoreOptions { ReadOnly = readOnly });
        }
        catch (StoreException ex)
        {
            throw new CliException(ex.Message, 1, ex);
        }
    }
}
