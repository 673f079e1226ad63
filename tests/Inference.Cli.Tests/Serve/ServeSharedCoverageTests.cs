using Inference.Cli.Tests.Foundation;
using Inference.Testing;

namespace Inference.Cli.Tests.Serve;

/// <summary>The service says so when a relay sends flows of time a file import already holds from the same nodes.</summary>
public sealed class ServeSharedCoverageTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-serve-shared-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_relay_sending_time_an_import_already_holds_is_logged_when_its_ingester_stops()
    {
        const string Capture = "basic-sample-400-tcp-flows.json";
        var db = _dir.File("serve.duckdb");
        var sample = TestPaths.HubbleSample(Capture);
        Assert.Equal(0, (await CliRunner.RunAsync("ingest", "hubble", "--file", sample, "--db", db)).Exit);
        var responses = Fixtures.Capture(Capture);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        var config = _dir.File("inference.yaml");
        await File.WriteAllTextAsync(config, $"""
            relays:
              - address: "{relay.Address}"
            """);

        var serve = await RunningServe.StartAsync(db, "--config", config);
        await using (serve)
        {
            using var http = new HttpClient { BaseAddress = serve.Url, Timeout = ServeProcess.Patience };
            await ServeProcess.IngesterAsync(http, "hubble-relay:" + relay.Address, i => i.GetProperty("flowsThisRun").GetInt64() == responses.Count(r => r.Flow is not null));
        }

        Assert.Contains("the relay sent flows from ", serve.Error, StringComparison.Ordinal);
        Assert.Contains($"that hubble-file:{Path.GetFullPath(sample)} already holds from the same nodes (", serve.Error, StringComparison.Ordinal);
        Assert.Contains("are now counted twice.", serve.Error, StringComparison.Ordinal);
        // serve's relays follow from now: there is no --since to name
        Assert.DoesNotContain("--since", serve.Error, StringComparison.Ordinal);
    }
}
