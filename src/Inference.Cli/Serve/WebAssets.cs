using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Inference.Cli.Serve;

/// <summary>The review page: static HTML, CSS and vanilla JS embedded in the executable (no build step, no framework).</summary>
internal static class WebAssets
{
    private static readonly Dictionary<string, byte[]> Files = Load();

    public static IResult Result(string name) => Results.Bytes(Files[name], name switch
    {
        _ when name.EndsWith(".js", StringComparison.Ordinal) => "text/javascript; charset=utf-8",
        _ when name.EndsWith(".css", StringComparison.Ordinal) => "text/css; charset=utf-8",
        _ => "text/html; charset=utf-8",
    });

    private static Dictionary<string, byte[]> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in new[] { "index.html", "app.js", "app.css" })
        {
            using var stream = assembly.GetManifestResourceStream("Inference.Cli.Serve.Web." + name)
                ?? throw new InvalidOperationException($"bug: web asset {name} is not embedded");
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            files[name] = memory.ToArray();
        }

        return files;
    }
}
