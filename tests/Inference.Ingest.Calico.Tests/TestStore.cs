using Inference.Store;

namespace Inference.Ingest.Calico.Tests;

/// <summary>A store in a fresh temp directory, deleted afterwards.</summary>
internal sealed class TestStore : IDisposable
{
    public TestStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "inference-calico-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path_ = System.IO.Path.Combine(Directory, "store.duckdb");
    }

    public string Directory { get; }
    public string Path_ { get; }

    public InferenceStore Open() => InferenceStore.Open(Path_);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a test that failed may still hold the file
        }
    }
}
