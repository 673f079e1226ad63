using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;
using Inference.Testing;

namespace Inference.Cli.Tests.Serve;

/// <summary>
/// A relay that is not there, then refuses, then streams: the service keeps trying with backoff, shows why in
/// /api/status and /metrics meanwhile, and ingests once the relay serves.
/// </summary>
public sealed class ServeRestartTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-serve-restart-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task An_unreachable_then_refusing_relay_shows_its_state_and_is_ingested_once_it_serves()
    {
        var port = FreePort();
        var address = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var source = "hubble-relay:" + address;
        var db = _dir.File("serve.duckdb");
        var config = _dir.File("inference.yaml");
        await File.WriteAllTextAsync(config, $"""
            relays:
              - address: "{address}"
            restartInitialSeconds: 0.2
            restartMaxSeconds: 1
            """);
        var flows = Fixtures.Conversation(30);

        await using (var serve = await RunningServe.StartAsync(db, "--config", config))
        {
            using var http = new HttpClient { BaseAddress = serve.Url, Timeout = ServeProcess.Patience };

            // nothing listens: the relay ingester retries inside, and says so
            var reconnecting = await ServeProcess.IngesterAsync(http, source, i => i.GetProperty("state").GetString() == "reconnecting");
            Assert.Contains("Unavailable", reconnecting.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.Contains($"inference_ingester_up{{source=\"{source}\"}} 0", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);

            // a relay that refuses GetFlows: retrying inside cannot help, the supervisor restarts the ingester with backoff
            await using (var refusing = await TestRelay.StartAsync(new TestRelayOptions { Port = port, RefuseWith = StatusCode.PermissionDenied }))
            {
                var restarting = await ServeProcess.IngesterAsync(http, source, i => i.GetProperty("restarts").GetInt32() >= 2);
                Assert.Contains("refused GetFlows: PermissionDenied", restarting.GetProperty("lastError").GetString(), StringComparison.Ordinal);
                Assert.StartsWith("restarting in ", (await ServeProcess.IngesterAsync(http, source, i => i.GetProperty("state").GetString()!.StartsWith("restarting in ", StringComparison.Ordinal))).GetProperty("state").GetString(), StringComparison.Ordinal);
                Assert.Matches($@"inference_ingester_restarts_total\{{source=""{source.Replace(".", @"\.", StringComparison.Ordinal)}""\}} [1-9]", await http.GetStringAsync("/metrics"));
            }

            // the relay serves: the ingester runs and stores every flow
            await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Port = port, Responses = flows });
            await ServeProcess.IngesterAsync(http, source, i => i.GetProperty("state").GetString() == "running" && i.GetProperty("flowsThisRun").GetInt64() == flows.Count);
            Assert.Contains($"inference_ingester_up{{source=\"{source}\"}} 1", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }

        // after the graceful stop every connection is stored, once
        var (code, output, error) = await Foundation.CliRunner.RunAsync("edges", "-o", "json", "--db", db);
        Assert.True(code == 0, error);
        using var edges = JsonDocument.Parse(output);
        Assert.Equal(30, edges.RootElement.EnumerateArray().Sum(e => e.GetProperty("connections").GetInt64()));
    }

    /// <summary>Polls /api/status until the ingester of <paramref name="source"/> satisfies <paramref name="condition"/>.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
