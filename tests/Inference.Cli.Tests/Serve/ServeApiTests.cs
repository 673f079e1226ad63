using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Cli.Tests.Suggest;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Serve;

/// <summary>`inference serve` in-process: the page and API, token-protected decisions that survive a restart, metrics.</summary>
public sealed partial class ServeApiTests
{
    [GeneratedRegex(@"write token \(shown once; stored in (\S+), mode 0600\): ([0-9a-f]{64})")]
    private static partial Regex TokenLine();

    [Fact]
    public async Task Decisions_need_the_token_are_stored_and_survive_a_restart()
    {
        using var store = await ScenarioStore.ImportAsync(HubbleWeek.Connections(days: 1));
        string token;
        await using (var first = await RunningServe.StartAsync(store.Db))
        {
            var match = TokenLine().Match(first.Output);
            Assert.True(match.Success, first.Output);
            token = match.Groups[2].Value;
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(match.Groups[1].Value));
            }

            using var http = new HttpClient { BaseAddress = first.Url };
            var page = await http.GetStringAsync("/");
            Assert.Contains("<script src=\"/app.js\"", page, StringComparison.Ordinal);
            using (var review = JsonDocument.Parse(await http.GetStringAsync("/api/review")))
            {
                Assert.Contains(review.RootElement.GetProperty("namespaces").EnumerateArray(), n => n.GetProperty("name").GetString() == "shop");
            }

            var decision = new { @namespace = "shop", policy = "frontend", rule = "", decision = "approved", note = "looks right", actor = "alice" };
            using (var refused = await http.PostAsJsonAsync("/api/decisions", decision))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            // one character changed (a token that starts with '0' would otherwise be sent unchanged)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (token[0] == '0' ? "1" : "0") + token[1..]);
            using (var wrong = await http.PostAsJsonAsync("/api/decisions", decision))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            }

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using (var accepted = await http.PostAsJsonAsync("/api/decisions", decision))
            {
                Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            }

            using (var rejected = await http.PostAsJsonAsync("/api/decisions", new { @namespace = "shop", policy = "cart", decision = "rejected", note = "not yet" }))
            {
                Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
            }

            // a misspelt policy is refused, not stored as a decision no page shows
            using (var unknown = await http.PostAsJsonAsync("/api/decisions", new { @namespace = "shop", policy = "frontnd", decision = "approved" }))
            {
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
                Assert.Contains("no suggested policy shop/frontnd", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("# TYPE inference_db_size_bytes gauge", metrics, StringComparison.Ordinal);
            Assert.Contains("inference_flows_read_total{source=\"week\"}", metrics, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"ok\"", await http.GetStringAsync("/healthz"), StringComparison.Ordinal);
        }

        await using var second = await RunningServe.StartAsync(store.Db);
        Assert.DoesNotContain("write token", second.Output, StringComparison.Ordinal);
        using var again = new HttpClient { BaseAddress = second.Url };
        using var doc = JsonDocument.Parse(await again.GetStringAsync("/api/review"));
        var policies = doc.RootElement.GetProperty("namespaces").EnumerateArray().SelectMany(n => n.GetProperty("policies").EnumerateArray()).ToList();
        var frontend = policies.Single(p => p.GetProperty("namespace").GetString() == "shop" && p.GetProperty("name").GetString() == "frontend");
        Assert.Equal("approved", frontend.GetProperty("state").GetString());
        Assert.Equal("alice", frontend.GetProperty("decision").GetProperty("actor").GetString());
        var cart = policies.Single(p => p.GetProperty("namespace").GetString() == "shop" && p.GetProperty("name").GetString() == "cart");
        Assert.Equal("rejected", cart.GetProperty("state").GetString());
        Assert.Equal("token holder", cart.GetProperty("decision").GetProperty("actor").GetString());
    }

    [Fact]
    public async Task An_empty_store_serves_an_empty_review_and_bad_listen_addresses_are_one_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("inference-serve-empty-").FullName;
        var db = Path.Combine(dir, "empty.duckdb");
        await using (var serve = await RunningServe.StartAsync(db))
        {
            using var http = new HttpClient { BaseAddress = serve.Url };
            using var review = JsonDocument.Parse(await http.GetStringAsync("/api/review"));
            Assert.Equal(0, review.RootElement.GetProperty("namespaces").GetArrayLength());
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["serve", "--db", db, "--listen", "not-an-address"], output, error);
        Assert.Equal(2, code);
        Assert.Contains("--listen not-an-address: expected ADDRESS:PORT", error.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>`inference serve --listen 127.0.0.1:0` running in-process until disposed (the graceful stop path).</summary>
internal sealed partial class RunningServe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    // TextWriter.Synchronized locks on the wrapper itself: reads take the same lock, or a read can meet a half-done append
    private readonly TextWriter _syncOutput;
    private readonly TextWriter _syncError;
    private Task<int>? _run;

    private RunningServe()
    {
        _syncOutput = TextWriter.Synchronized(_output);
        _syncError = TextWriter.Synchronized(_error);
    }

    public Uri Url { get; private set; } = null!;
    public string Output { get { lock (_syncOutput) { return _output.ToString(); } } }
    public string Error { get { lock (_syncError) { return _error.ToString(); } } }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();

    public static async Task<RunningServe> StartAsync(string db, params string[] extra)
    {
        var serve = new RunningServe();
        serve._run = Task.Run(() => CliApp.RunAsync(["serve", "--db", db, "--listen", "127.0.0.1:0", .. extra], serve._syncOutput, serve._syncError, serve._stop.Token));
        // generous: the machine is loaded; no tight timing
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var m = Listening().Match(serve.Output);
            if (m.Success)
            {
                serve.Url = new Uri(m.Groups[1].Value);
                return serve;
            }

            if (serve._run.IsCompleted)
            {
                throw new InvalidOperationException($"serve ended with {await serve._run}: {serve.Error}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("serve did not start: " + serve.Error);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // a stop that hangs fails the test instead of hanging CI
        var code = await _run!.WaitAsync(ServeProcess.Patience);
        Assert.True(code is 0 or 130, $"exit {code}: {Error}");
        _stop.Dispose();
    }
}
