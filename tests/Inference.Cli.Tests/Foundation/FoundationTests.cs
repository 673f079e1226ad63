using System.CommandLine;
using System.Text.Json;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Testing.Scenarios;

namespace Inference.Cli.Tests.Foundation;

public sealed class FoundationTests
{
    private static IEnumerable<Command> AllCommands(Command command) =>
        command.Subcommands.SelectMany(c => AllCommands(c).Prepend(c));

    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        void Walk(Command c, string prefix)
        {
            foreach (var sub in c.Subcommands)
            {
                var path = (prefix + " " + sub.Name).Trim();
                data.Add(path);
                Walk(sub, path);
            }
        }

        Walk(CliApp.Build(), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Every_command_has_help(string path)
    {
        var (exit, output, _) = await CliRunner.RunAsync([.. path.Split(' '), "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("--db", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_refuses_db_so_it_never_recreates_a_real_store()
    {
        var dir = CliRunner.TempDir();
        var real = Path.Combine(dir, "real.duckdb");
        File.WriteAllText(real, "not a demo");

        var (exit, _, error) = await CliRunner.RunAsync("demo", "--db", real);

        Assert.Equal(2, exit);
        Assert.Contains("--db is not used", error, StringComparison.Ordinal);
        Assert.Contains("--demo-db", error, StringComparison.Ordinal);
        Assert.Equal("not a demo", File.ReadAllText(real));
    }

    [Fact]
    public async Task The_demo_imports_the_bundled_captures_and_edges_json_has_the_documented_shape()
    {
        var dir = CliRunner.TempDir();
        var db = Path.Combine(dir, "demo.duckdb");
        var demo = await CliRunner.RunAsync("demo", "--demo-db", db);
        Assert.Equal(0, demo.Exit);
        Assert.Contains("basic-sample-400-tcp-flows.json: 400 flows", demo.Out, StringComparison.Ordinal);

        var (exit, json, _) = await CliRunner.RunAsync("edges", "--db", db, "-o", "json");
        Assert.Equal(0, exit);
        var edges = JsonDocument.Parse(json).RootElement;
        Assert.True(edges.GetArrayLength() > 10);
        var keys = new List<string>();
        foreach (var edge in edges.EnumerateArray())
        {
            foreach (var property in new[] { "source", "destination", "protocol", "port", "connections", "verdicts", "dropReasons", "firstSeen", "lastSeen" })
            {
                Assert.True(edge.TryGetProperty(property, out _), $"edge lacks {property}");
            }

            Assert.Contains(edge.GetProperty("protocol").GetString(), new[] { "TCP", "UDP", "SCTP", "ICMP" });
            if (edge.GetProperty("protocol").GetString() == "ICMP")
            {
                Assert.Equal(JsonValueKind.Null, edge.GetProperty("port").ValueKind);
                Assert.True(edge.TryGetProperty("icmpType", out _));
            }

            keys.Add(edge.GetProperty("source").GetRawText() + edge.GetProperty("destination").GetRawText());
        }

        // the policy-denied SYN in the Cilium docs' exporter sample: xwing -> deathstar
        var dropped = edges.EnumerateArray().Single(e => e.GetProperty("dropReasons").TryGetProperty("POLICY_DENIED", out _)
            && e.GetProperty("source").TryGetProperty("workload", out var w) && w.GetString() == "xwing");
        Assert.Equal("deathstar", dropped.GetProperty("destination").GetProperty("workload").GetString());
        Assert.Equal("Deployment", dropped.GetProperty("destination").GetProperty("kind").GetString());
        Assert.Contains(edges.EnumerateArray(), e => e.GetProperty("source").TryGetProperty("entity", out var entity) && entity.GetString() == "host");

        var (statusExit, status, _) = await CliRunner.RunAsync("status", "--db", db, "-o", "json");
        Assert.Equal(0, statusExit);
        var sources = JsonDocument.Parse(status).RootElement.GetProperty("sources").EnumerateArray().Select(x => x.GetProperty("source").GetString()!).ToList();
        Assert.Equal(8, sources.Count(x => x.StartsWith("hubble-file:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Status_json_counts_the_dead_letters_per_source_and_topic_with_where_and_why_the_latest_failed()
    {
        var dir = CliRunner.TempDir();

        // a store without Kafka sources has none, and says so
        var hubble = Path.Combine(dir, "hubble.duckdb");
        await CliRunner.RunAsync("ingest", "hubble", "--file", Path.Combine(AppContext.BaseDirectory, "Samples", "hubble", "basic-sample-10-flows.json"), "--db", hubble);
        var (_, clean, _) = await CliRunner.RunAsync("status", "--db", hubble, "-o", "json");
        Assert.Equal(0, JsonDocument.Parse(clean).RootElement.GetProperty("deadLetters").GetArrayLength());

        // the demo's Calico records go through the mock broker and the real consumer; two of them are malformed
        var db = Path.Combine(dir, "demo.duckdb");
        Assert.Equal(0, (await CliRunner.RunAsync("demo", "--demo-db", db)).Exit);
        var (exit, status, _) = await CliRunner.RunAsync("status", "--db", db, "-o", "json");
        Assert.Equal(0, exit);
        var dead = Assert.Single(JsonDocument.Parse(status).RootElement.GetProperty("deadLetters").EnumerateArray());
        Assert.Equal("kafka:calico-flows", dead.GetProperty("source").GetString());
        Assert.Equal("calico-flows", dead.GetProperty("topic").GetString());
        Assert.Equal(2, dead.GetProperty("count").GetInt64());
        var latest = dead.GetProperty("latest").EnumerateArray().ToList();
        Assert.Equal(2, latest.Count);
        Assert.All(latest, d =>
        {
            Assert.True(d.GetProperty("partition").GetInt32() >= 0);
            Assert.True(d.GetProperty("offset").GetInt64() >= 0);
            Assert.Equal(1, d.GetProperty("line").GetInt32());
            Assert.True(d.TryGetProperty("observedAt", out _));
        });
        Assert.Equal(2, latest.Select(d => (d.GetProperty("partition").GetInt32(), d.GetProperty("offset").GetInt64())).Distinct().Count());
        var reasons = latest.Select(d => d.GetProperty("reason").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.StartsWith("not valid JSON", reasons[0], StringComparison.Ordinal);
        Assert.Equal("start_time: expected an integer, found a string", reasons[1]);

        // the table says the same
        var (_, table, _) = await CliRunner.RunAsync("status", "--db", db);
        Assert.Contains("Dead letters", table, StringComparison.Ordinal);
        Assert.Contains("start_time: expected an integer, found a string", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edges_output_is_byte_identical_for_the_same_flows_in_another_order()
    {
        var dir = CliRunner.TempDir();
        var sample = Path.Combine(AppContext.BaseDirectory, "Samples", "hubble", "basic-sample-400-tcp-flows.json");
        var lines = await File.ReadAllLinesAsync(sample);
        var reversed = Path.Combine(dir, "reversed.json");
        await File.WriteAllLinesAsync(reversed, lines.Reverse());
        await CliRunner.RunAsync("ingest", "hubble", "--file", sample, "--db", Path.Combine(dir, "a.duckdb"));
        await CliRunner.RunAsync("ingest", "hubble", "--file", reversed, "--db", Path.Combine(dir, "b.duckdb"));
        var a = await CliRunner.RunAsync("edges", "-o", "json", "--db", Path.Combine(dir, "a.duckdb"));
        var b = await CliRunner.RunAsync("edges", "-o", "json", "--db", Path.Combine(dir, "b.duckdb"));
        Assert.Equal(a.Out, b.Out);
    }

    [Fact]
    public async Task Running_the_same_import_again_says_so_and_stores_nothing_twice()
    {
        var dir = CliRunner.TempDir();
        var db = Path.Combine(dir, "rerun.duckdb");
        var sample = Path.Combine(AppContext.BaseDirectory, "Samples", "hubble", "basic-sample-400-tcp-flows.json");
        await CliRunner.RunAsync("ingest", "hubble", "--file", sample, "--db", db);
        var before = await CliRunner.RunAsync("edges", "-o", "json", "--db", db);

        var (exit, output, error) = await CliRunner.RunAsync("ingest", "hubble", "--file", sample, "--db", db);

        Assert.Equal(0, exit);
        Assert.Contains("its first 400 lines were already imported", error, StringComparison.Ordinal);
        Assert.Contains("nothing new to import", error, StringComparison.Ordinal);
        Assert.Contains(": 0 flows, 0 connections", output, StringComparison.Ordinal);
        Assert.Equal(before.Out, (await CliRunner.RunAsync("edges", "-o", "json", "--db", db)).Out);
    }

    [Fact]
    public async Task Importing_again_after_an_import_died_says_so_and_gives_the_edges_of_one_import()
    {
        var dir = CliRunner.TempDir();
        var file = Path.Combine(dir, "week.json");
        var lines = HubbleWeek.Render(HubbleWeek.Connections(days: 7)).Select(l => l.Json).ToList();
        var dieAt = lines.Count / 2;
        lines[dieAt] = "{ not json";
        await File.WriteAllLinesAsync(file, lines);
        var once = Path.Combine(dir, "once.duckdb");
        await CliRunner.RunAsync("ingest", "hubble", "--file", file, "--db", once);
        var db = Path.Combine(dir, "died.duckdb");
        using (var store = Inference.Store.InferenceStore.Open(db))
        {
            // the process dies at the malformed line, after storing the batches before it (as `kill -9` would leave it)
            var options = new IngestOptions { Source = "hubble-file:" + Path.GetFullPath(file), SourceKind = "hubble-file", FlushInterval = TimeSpan.Zero };
            await Assert.ThrowsAsync<TimeoutException>(() => HubbleIngestRunner.ImportFileAsync(store, file, options, _ => throw new TimeoutException(), TimeProvider.System, default));
        }

        var (_, table, _) = await CliRunner.RunAsync("status", "--db", db);
        Assert.Contains("File imports that did not finish", table, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(file), table, StringComparison.Ordinal);

        var (exit, _, error) = await CliRunner.RunAsync("ingest", "hubble", "--file", file, "--db", db);

        Assert.Equal(0, exit);
        using var status = JsonDocument.Parse((await CliRunner.RunAsync("status", "-o", "json", "--db", db)).Out);
        Assert.Equal(0, status.RootElement.GetProperty("unfinishedImports").GetArrayLength());
        Assert.Contains("stopped before it finished", error, StringComparison.Ordinal);
        Assert.Contains("nothing it stored is counted twice", error, StringComparison.Ordinal);
        Assert.Equal((await CliRunner.RunAsync("edges", "-o", "json", "--db", once)).Out, (await CliRunner.RunAsync("edges", "-o", "json", "--db", db)).Out);
    }

    [Fact]
    public async Task An_export_overlapping_an_earlier_one_by_hours_is_imported_with_a_warning_naming_the_time_and_the_earlier_import()
    {
        var dir = CliRunner.TempDir();
        var rendered = HubbleWeek.Render(HubbleWeek.Connections(days: 2));
        var half = rendered.Count / 2;
        var overlapStart = rendered.Select((l, i) => (l.Time, i)).First(x => x.Time >= rendered[half - 1].Time.AddHours(-6)).i;
        Assert.True(rendered[overlapStart].Time < rendered[half - 1].Time.AddHours(-1), "an overlap of more than the minutes an import remembers");
        var first = Path.Combine(dir, "first.json");
        var second = Path.Combine(dir, "second.json");
        await File.WriteAllLinesAsync(first, rendered.Take(half).Select(l => l.Json));
        await File.WriteAllLinesAsync(second, rendered.Skip(overlapStart).Select(l => l.Json));
        var db = Path.Combine(dir, "overlap.duckdb");
        var (_, _, quiet) = await CliRunner.RunAsync("ingest", "hubble", "--file", first, "--db", db);

        var (exit, output, error) = await CliRunner.RunAsync("ingest", "hubble", "--file", second, "--db", db);

        Assert.Equal(0, exit);
        Assert.DoesNotContain("warning", quiet, StringComparison.Ordinal);
        Assert.Contains($"warning: {second} holds flows from {rendered[overlapStart].Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} to ", error, StringComparison.Ordinal);
        Assert.Contains($"that hubble-file:{Path.GetFullPath(first)} already holds from the same nodes (kind-worker, kind-worker2)", error, StringComparison.Ordinal);
        Assert.Contains("counted twice", error, StringComparison.Ordinal);
        Assert.Contains($"starts with hubble observe --since {rendered[half - 1].Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{rendered.Count - overlapStart} flows", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("neither source", new[] { "ingest", "hubble" }, "exactly one of --relay")]
    [InlineData("bad duration", new[] { "ingest", "hubble", "--relay", "127.0.0.1:1", "--duration", "soon" }, "not a duration")]
    [InlineData("missing file", new[] { "ingest", "hubble", "--file", "/nonexistent/flows.json" }, "no such file")]
    [InlineData("bad since", new[] { "edges", "--since", "last tuesday" }, "--since")]
    public async Task User_errors_exit_non_zero_with_one_clear_line_on_stderr(string _, string[] args, string message)
    {
        var dir = CliRunner.TempDir();
        var (exit, output, error) = await CliRunner.RunAsync([.. args, "--db", Path.Combine(dir, "x.duckdb")]);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Reading_a_store_that_does_not_exist_is_an_error_not_an_empty_answer()
    {
        var (exit, _, error) = await CliRunner.RunAsync("edges", "--db", Path.Combine(CliRunner.TempDir(), "none.duckdb"));
        Assert.Equal(1, exit);
        Assert.Contains("no store", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_db_path_comes_from_INFERENCE_DB_when_not_given()
    {
        var db = Path.Combine(CliRunner.TempDir(), "env.duckdb");
        Environment.SetEnvironmentVariable("INFERENCE_DB", db);
        try
        {
            var sample = Path.Combine(AppContext.BaseDirectory, "Samples", "hubble", "basic-sample-10-flows.json");
            var (exit, _, _) = await CliRunner.RunAsync("ingest", "hubble", "--file", sample);
            Assert.Equal(0, exit);
            Assert.True(File.Exists(db));
        }
        finally
        {
            Environment.SetEnvironmentVariable("INFERENCE_DB", null);
        }
    }
}
