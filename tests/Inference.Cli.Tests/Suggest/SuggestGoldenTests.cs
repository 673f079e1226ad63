using System.Text;
using Inference.Testing;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Suggest;

/// <summary>
/// `inference suggest --out` on the fixed HubbleWeek shop, byte-compared with the files checked in under
/// Suggest/Golden/&lt;format&gt;/ (every policy file plus the summary). On top of the ground-truth tests: any change to
/// the written YAML shows up as a diff a reviewer reads. Regenerate after an intended change with
/// <c>INFERENCE_UPDATE_GOLDEN=1 dotnet test tests/Inference.Cli.Tests --filter "FullyQualifiedName~SuggestGolden"</c>
/// and review <c>git diff tests/Inference.Cli.Tests/Suggest/Golden</c>.
/// </summary>
public sealed class SuggestGoldenTests
{
    private const string UpdateVariable = "INFERENCE_UPDATE_GOLDEN";
    private const string SummaryFile = "summary.txt";
    private const string OutPlaceholder = "<out>";

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("cilium")]
    [InlineData("calico-staged")]
    public async Task Suggest_output_on_the_shop_week_matches_the_checked_in_golden_files(string format)
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections());
        var dir = Path.Combine(store.Directory, "out");
        var (code, output, error) = await store.RunAsync("suggest", "--format", format, "--out", dir);
        Assert.True(code == 0, error);

        // the temp directory changes per run; everything else in the summary must not
        var actual = Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);
        actual[SummaryFile] = Encoding.UTF8.GetBytes(output.Replace(dir, OutPlaceholder, StringComparison.Ordinal));

        var golden = Path.Combine(TestPaths.RepoRoot, "tests", "Inference.Cli.Tests", "Suggest", "Golden", format);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Update(golden, actual);
        }

        Assert.True(Directory.Exists(golden), $"no golden files at {golden}; create them with {UpdateVariable}=1");
        var expected = Directory.GetFiles(golden, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(golden, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);
        var problems = new List<string>();
        problems.AddRange(expected.Keys.Except(actual.Keys).Order(StringComparer.Ordinal).Select(f => $"missing from the output: {f}"));
        problems.AddRange(actual.Keys.Except(expected.Keys).Order(StringComparer.Ordinal).Select(f => $"not in the golden files: {f}"));
        foreach (var (file, bytes) in expected.Where(kv => actual.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!bytes.AsSpan().SequenceEqual(actual[file]))
            {
                problems.Add($"differs: {file}\n{FirstDifference(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(actual[file]))}");
            }
        }

        Assert.True(problems.Count == 0,
            $"suggest --format {format} differs from {golden}; if the change is intended, rerun with {UpdateVariable}=1 and review the diff:\n{string.Join("\n", problems)}");
    }

    private static void Update(string golden, IReadOnlyDictionary<string, byte[]> actual)
    {
        if (Directory.Exists(golden))
        {
            Directory.Delete(golden, recursive: true);
        }

        foreach (var (file, bytes) in actual)
        {
            var path = Path.Combine(golden, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"  line {i + 1}:\n  - {el}\n  + {al}";
            }
        }

        return "  (line ends differ)";
    }
}
