using System.Text.Json;
using Cilium.Flow;
using Cilium.Observer;
using Cilium.Relay;
using Inference.Cli;
using Inference.Testing;

namespace Inference.Cli.Tests.Hubble;

/// <summary>End to end: `inference ingest hubble --relay` against the test relay, then `inference edges -o json` / `status -o json`.</summary>
public sealed class IngestHubbleRelayCliTests : IDisposable
{
    private readonly TempDirectory _dir = new("inference-cli-relay-");

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<JsonElement> Json(params string[] args)
    {
        var (code, output, error) = await Run(args);
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    private async Task<(string Db, string Out, string Err)> Ingest(TestRelay relay, params string[] extra)
    {
        var db = _dir.File($"run-{Guid.NewGuid():N}.duckdb");
        var (code, output, error) = await Run(["ingest", "hubble", "--relay", relay.Address, "--idle-timeout", "5s", "--db", db, .. extra]);
        Assert.True(code == 0, error);
        return (db, output, error);
    }

    private static JsonElement Workload(string ns, string name) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["namespace"] = ns, ["workload"] = name, ["kind"] = "Deployment" });

    [Fact]
    public async Task A_relay_run_over_time_an_import_already_holds_warns_with_the_since_that_continues_it()
    {
        const string Capture = "basic-sample-400-tcp-flows.json";
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Capture(Capture) });
        var db = _dir.File("relay-after-import.duckdb");
        var sample = TestPaths.HubbleSample(Capture);
        var (imported, _, importWarnings) = await Run("ingest", "hubble", "--file", sample, "--db", db);
        var lastImported = (await Json("status", "-o", "json", "--db", db)).GetProperty("sources")[0].GetProperty("lastFlow").GetDateTimeOffset();

        var (code, _, error) = await Run("ingest", "hubble", "--relay", relay.Address, "--idle-timeout", "5s", "--db", db);

        Assert.Equal(0, imported);
        Assert.DoesNotContain("warning", importWarnings, StringComparison.Ordinal);
        Assert.True(code == 0, error);
        Assert.Contains("warning: the relay sent flows from ", error, StringComparison.Ordinal);
        Assert.Contains($"that hubble-file:{Path.GetFullPath(sample)} already holds from the same nodes (", error, StringComparison.Ordinal);
        Assert.Contains($"continues it starts with --since {lastImported.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_from_the_relay_then_edges_json_has_one_edge_per_connection()
    {
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(30) });

        var (db, output, _) = await Ingest(relay);

        Assert.Contains("30 connections", output, StringComparison.Ordinal);
        Assert.Contains("idle timeout", output, StringComparison.Ordinal);
        var edges = await Json("edges", "-o", "json", "--db", db);
        Assert.Equal(JsonValueKind.Array, edges.ValueKind);
        Assert.Equal(4, edges.GetArrayLength());
        var admin = edges.EnumerateArray().Single(e => e.GetProperty("port").ValueKind == JsonValueKind.Number && e.GetProperty("port").GetInt32() == 22);
        Assert.True(JsonElement.DeepEquals(Workload("shop", "frontend"), admin.GetProperty("source")), admin.ToString());
        Assert.True(JsonElement.DeepEquals(Workload("shop", "admin"), admin.GetProperty("destination")), admin.ToString());
        Assert.Equal("TCP", admin.GetProperty("protocol").GetString());
        Assert.Equal(6, admin.GetProperty("connections").GetInt64());
        Assert.Equal(6, admin.GetProperty("verdicts").GetProperty("DROPPED").GetInt64());
        Assert.Equal(6, admin.GetProperty("dropReasons").GetProperty("POLICY_DENIED").GetInt64());
        Assert.Equal(30, edges.EnumerateArray().Sum(e => e.GetProperty("connections").GetInt64()));
        // replies (the SYN-ACKs from cart, payments, redis) never make a reverse edge
        Assert.DoesNotContain(edges.EnumerateArray(), e => e.GetProperty("source").TryGetProperty("workload", out var w) && w.GetString() is "cart" && e.GetProperty("port").GetInt32() != 6379);
        var payments = edges.EnumerateArray().Single(e => e.GetProperty("port").GetInt32() == 9090);
        Assert.True(JsonElement.DeepEquals(Workload("billing", "payments"), payments.GetProperty("destination")), payments.ToString());
        var first = payments.GetProperty("firstSeen").GetDateTimeOffset();
        Assert.Equal(Fixtures.Epoch.AddSeconds(1), first);
    }

    [Fact]
    public async Task A_dropped_stream_gives_the_same_edges_json_as_an_unbroken_one()
    {
        var responses = Fixtures.Conversation(40);
        await using var clean = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });
        await using var faulty = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses, Fault = RelayFault.Abort, FaultAfterMessages = 50 });

        var (cleanDb, _, _) = await Ingest(clean);
        var (faultyDb, output, error) = await Ingest(faulty);

        Assert.True(faulty.Requests.Count >= 2, error);
        Assert.Contains("reconnecting", error, StringComparison.Ordinal);
        Assert.Contains("40 connections", output, StringComparison.Ordinal);
        var expected = await Json("edges", "-o", "json", "--db", cleanDb);
        var actual = await Json("edges", "-o", "json", "--db", faultyDb);
        Assert.True(JsonElement.DeepEquals(expected, actual), $"expected {expected}\nactual {actual}");
    }

    [Fact]
    public async Task Mtls_flags_are_named_as_in_the_hubble_cli()
    {
        using var pki = TestPki.Create(_dir.FullName);
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions
        {
            Responses = Fixtures.Conversation(10),
            Tls = new TestRelayTls { ServerCertificate = pki.Server, ClientCa = pki.Ca },
        });

        var (db, output, _) = await Ingest(relay, "--tls", "--tls-ca-cert-files", pki.CaPemFile, "--tls-server-name", pki.ServerName,
            "--tls-client-cert-file", pki.ClientCertPemFile, "--tls-client-key-file", pki.ClientKeyPemFile);

        Assert.Contains("10 connections", output, StringComparison.Ordinal);
        var edges = await Json("edges", "-o", "json", "--db", db);
        Assert.Equal(10, edges.EnumerateArray().Sum(e => e.GetProperty("connections").GetInt64()));
    }

    [Fact]
    public async Task Namespace_filters_and_status_json_show_lost_events_and_unavailable_nodes()
    {
        var responses = new List<GetFlowsResponse>(Fixtures.Conversation(30))
        {
            Fixtures.Lost(Fixtures.Epoch.AddSeconds(31), "node-2", LostEventSource.HubbleRingBuffer, 7),
            Fixtures.NodeStatus(Fixtures.Epoch.AddSeconds(32), NodeState.NodeUnavailable, "connection refused", "node-3"),
        };
        await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = responses });

        var (db, output, error) = await Ingest(relay, "--namespace", "billing");

        Assert.True(error.Contains("node-3", StringComparison.Ordinal), output + error);
        var request = Assert.Single(relay.Requests);
        Assert.Equal(2, request.Whitelist.Count);
        var edges = await Json("edges", "-o", "json", "--db", db);
        var edge = Assert.Single(edges.EnumerateArray());
        Assert.Equal("billing", edge.GetProperty("destination").GetProperty("namespace").GetString());
        var status = await Json("status", "-o", "json", "--db", db);
        var text = status.ToString();
        Assert.Contains("node-2", text, StringComparison.Ordinal);
        Assert.Contains("node-3", text, StringComparison.Ordinal);
        Assert.Contains("NODE_UNAVAILABLE", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_address_without_a_port_is_a_clear_error()
    {
        var db = _dir.File("bad.duckdb");

        var (code, _, error) = await Run("ingest", "hubble", "--relay", "hubble-relay", "--idle-timeout", "2s", "--db", db);

        Assert.Equal(1, code);
        Assert.Contains("error:", error, StringComparison.Ordinal);
        Assert.Contains("HOST:PORT", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_relay_logs_why_and_keeps_the_stored_edges()
    {
        string address;
        string db;
        await using (var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(10) }))
        {
            address = relay.Address;
            (db, _, _) = await Ingest(relay);
        }

        var before = await Json("edges", "-o", "json", "--db", db);
        var (code, output, error) = await Run("ingest", "hubble", "--relay", address, "--idle-timeout", "2s", "--db", db);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(address, error, StringComparison.Ordinal);
        Assert.Contains("retrying", error, StringComparison.Ordinal);
        Assert.Contains("error: no response from Hubble Relay", error, StringComparison.Ordinal);
        var after = await Json("edges", "-o", "json", "--db", db);
        Assert.True(JsonElement.DeepEquals(before, after));
    }
}
