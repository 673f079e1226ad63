using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Suggest;

/// <summary>A scenario rendered as Hubble lines and imported into a temp store, the way a user would load a week.</summary>
internal sealed class ScenarioStore : IDisposable
{
    private ScenarioStore(string dir) => Directory = dir;

    public string Directory { get; }
    public string Db => Path.Combine(Directory, "store.duckdb");

    public static async Task<ScenarioStore> ImportAsync(IEnumerable<ScenarioConnection> connections)
    {
        var store = new ScenarioStore(System.IO.Directory.CreateTempSubdirectory("inference-suggest-").FullName);
        var file = Path.Combine(store.Directory, "week.json");
        await File.WriteAllLinesAsync(file, HubbleWeek.Render(connections).Select(l => l.Json));
        using var db = InferenceStore.Open(store.Db);
        var malformed = new List<MalformedLine>();
        await HubbleIngestRunner.ImportFileAsync(db, file, new IngestOptions { Source = "week", SourceKind = "hubble-file" }, malformed.Add,
            TimeProvider.System, CancellationToken.None);
        Assert.Empty(malformed);
        return store;
    }

    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync([.. args, "--db", Db], output, error);
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a store still open after a failed test: leave it to the OS
        }
    }
}
