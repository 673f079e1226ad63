using Inference.Benchmarks;

// dotnet run -c Release --project tests/Inference.Benchmarks -- [name ...]   (no name: all)
if (args is [Inference.Benchmarks.Hubble.FrameRelay.Argument, var frames])
{
    return await Inference.Benchmarks.Hubble.FrameRelay.ServeAsync(frames);
}

if (args is ["--write-synthetic", var syntheticPath, var megabytes])
{
    // for profiling an import outside the benchmark: the same synthetic -o jsonpb lines
    var generator = new Inference.Benchmarks.Hubble.SyntheticHubble();
    var written = Inference.Benchmarks.Hubble.SyntheticHubble.WriteJsonLines(syntheticPath,
        generator.Responses(generator.ConnectionsForJsonBytes(long.Parse(megabytes, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024)));
    Console.WriteLine($"{written.Flows} flows, {written.Bytes} bytes");
    return 0;
}

if (args is [Inference.Benchmarks.Hubble.LiveProfile.Argument, var profileFlows])
{
    // for finding where the live path's CPU goes: the same messages, replayed in process stage by stage
    var dir = Inference.Benchmarks.Hubble.BenchSupport.TempDirectory("live-profile");
    await Inference.Benchmarks.Hubble.LiveProfile.RunAsync(Console.Out, long.Parse(profileFlows, System.Globalization.CultureInfo.InvariantCulture), dir);
    Inference.Benchmarks.Hubble.BenchSupport.DeleteQuietly(dir);
    return 0;
}

if (args is ["--calico-profile", var phase])
{
    // for profiling one phase of the calico benchmark outside it (dotnet-trace collect -- ... --calico-profile store)
    return await Inference.Benchmarks.Calico.CalicoBenchmark.ProfileAsync(phase, Console.Out);
}

if (args is ["--write-suggestion", var suggestionDir, var suggestionFormat])
{
    // for checking that a change leaves the output alone: the suggest benchmark's suggestion as files
    var format = suggestionFormat == "cilium" ? Inference.Core.Inference.SuggestFormat.Cilium : Inference.Core.Inference.SuggestFormat.Kubernetes;
    await Inference.Benchmarks.Suggest.SuggestBenchmark.WriteSuggestionAsync(suggestionDir, format, CancellationToken.None);
    return 0;
}

var selected = args.Length == 0 ? BenchmarkCatalog.All.Select(b => b.Name).ToArray() : args;
var failed = 0;
foreach (var name in selected)
{
    var benchmark = BenchmarkCatalog.All.FirstOrDefault(b => b.Name == name);
    if (benchmark is null)
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; known: {string.Join(", ", BenchmarkCatalog.All.Select(b => b.Name))}");
        return 2;
    }

    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    var met = await benchmark.RunAsync(Console.Out, CancellationToken.None);
    Console.WriteLine($"== {benchmark.Name}: target {(met ? "met" : "NOT met")}");
    if (!met)
    {
        failed++;
    }
}

return failed == 0 ? 0 : 1;
