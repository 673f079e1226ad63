namespace Inference.Testing;

/// <summary>Where the repository and its bundled samples are, seen from a test's bin directory.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string HubbleSample(string fileName)
    {
        var bundled = Path.Combine(RepoRoot, "src", "Inference.Cli", "Samples", "hubble", fileName);
        return File.Exists(bundled) ? bundled : Path.Combine("/work/shared/data/hubble", fileName);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Inference.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Inference.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary directory removed on dispose (DuckDB files and certificates live here).</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "inference-test-") => FullName = Directory.CreateTempSubdirectory(prefix).FullName;

    public string FullName { get; }

    public string File(string name) => Path.Combine(FullName, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullName, recursive: true);
        }
        catch (IOException)
        {
            // a file still open; the OS temp cleaner gets it
        }
        catch (UnauthorizedAccessException)
        {
            // as above
        }
    }
}
