using Inference.Core.Flows;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Json;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Store;

namespace Inference.Ingest.Hubble.Tests.Json;

public sealed class RealCaptureTests
{
    private static readonly string Samples = Path.Combine(AppContext.BaseDirectory, "Samples", "hubble");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Samples).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_line_of_the_real_captures_decodes_to_a_flow_with_time_and_addresses(string file)
    {
        var decoder = new HubbleJsonDecoder();
        foreach (var line in File.ReadLines(Path.Combine(Samples, file)))
        {
            var response = decoder.Decode(System.Text.Encoding.UTF8.GetBytes(line));
            Assert.Equal(ResponseKind.Flow, response.Kind);
            Assert.True(response.Flow!.TimeNs > 1_600_000_000_000_000_000L);
            Assert.NotEqual("", response.Flow.SourceIp);
            Assert.NotEqual(L4Protocol.Unknown, response.Flow.Protocol);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_decoder_that_has_seen_earlier_lines_decodes_each_line_as_a_fresh_one_does(string file)
    {
        // after its first endpoint, a decoder finds endpoints by a structural scan instead of the JSON reader
        var warm = new HubbleJsonDecoder();
        foreach (var line in File.ReadLines(Path.Combine(Samples, file)))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            var expected = new HubbleJsonDecoder().Decode(bytes).Flow!;
            var actual = warm.Decode(bytes).Flow!;
            Assert.Equal(
                (expected.TimeNs, expected.Node, expected.SourceIp, expected.DestinationIp, expected.SourcePort, expected.DestinationPort, expected.Verdict, expected.IsReply, expected.DedupeKey),
                (actual.TimeNs, actual.Node, actual.SourceIp, actual.DestinationIp, actual.SourcePort, actual.DestinationPort, actual.Verdict, actual.IsReply, actual.DedupeKey));
            Assert.Equal(Describe(expected.Source), Describe(actual.Source));
            Assert.Equal(Describe(expected.Destination), Describe(actual.Destination));
            Assert.Equal(expected.Dns?.Query, actual.Dns?.Query);
            Assert.Equal(expected.Http?.Path, actual.Http?.Path);
        }
    }

    private static string Describe(Inference.Core.Connections.EndpointInfo e) =>
        $"{e.Workload}|{e.Entity}|{e.PodName}|{e.Namespace}|{e.Quality}|{string.Join(',', e.AllLabels.Select(l => l.Key + "=" + l.Value))}|{string.Join(',', e.NamespaceLabels.Select(l => l.Key + "=" + l.Value))}";

    [Theory]
    [InlineData("""{"flow":{"time":"2026-11-20T10:00:00Z","source":{"ID":1,"labels":["k8s:app=a"}""", "JSON")]
    [InlineData("""{"flow":{"time":"2026-11-20T10:00:00Z","source":{"ID":1,"labels":["k8s:app=a"}},"IP":{"source":"10.0.0.1","destination":"10.0.0.2"}},"time":"2026-11-20T10:00:00Z"}""", "JSON")]
    [InlineData("""{"flow":{"time":"2026-11-20T10:00:00Z","source":{"ID":1,"namespace":"a" "pod_name":"b"},"IP":{"source":"10.0.0.1","destination":"10.0.0.2"}},"time":"2026-11-20T10:00:00Z"}""", "JSON")]
    public void A_broken_endpoint_after_good_lines_is_still_reported(string broken, string reason)
    {
        var decoder = new HubbleJsonDecoder();
        var good = File.ReadLines(Path.Combine(Samples, "basic-sample-400-tcp-flows.json")).Take(3).ToList();
        foreach (var line in good)
        {
            decoder.Decode(System.Text.Encoding.UTF8.GetBytes(line));
        }

        var ex = Assert.Throws<HubbleDecodeException>(() => decoder.Decode(System.Text.Encoding.UTF8.GetBytes(broken)));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        // the same message a decoder that never scanned gives, positions included
        var fresh = Assert.Throws<HubbleDecodeException>(() => new HubbleJsonDecoder().Decode(System.Text.Encoding.UTF8.GetBytes(broken)));
        Assert.Equal(fresh.Message, ex.Message);
        // and the decoder goes on with the next good line
        Assert.Equal(ResponseKind.Flow, decoder.Decode(System.Text.Encoding.UTF8.GetBytes(good[0])).Kind);
    }

    [Fact]
    public void A_pod_endpoint_resolves_to_its_deployment_with_stable_labels_and_namespace_labels()
    {
        var line = File.ReadLines(Path.Combine(Samples, "basic-sample-400-tcp-flows.json")).First();
        var flow = new HubbleJsonDecoder().Decode(System.Text.Encoding.UTF8.GetBytes(line)).Flow!;
        Assert.Equal("bookinfo/productpage-v1 (Deployment)", flow.Source.Workload!.ToString());
        Assert.Equal("productpage", flow.Source.Labels["app"]);
        Assert.DoesNotContain("io.kubernetes.pod.namespace", flow.Source.Labels.Keys);
        Assert.Equal("bookinfo", flow.Source.NamespaceLabels["kubernetes.io/metadata.name"]);
        Assert.False(flow.IsReply);
    }

    [Fact]
    public void Lost_events_and_node_status_lines_are_decoded()
    {
        var decoder = new HubbleJsonDecoder();
        var lost = decoder.Decode("""{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"7","cpu":0},"node_name":"kind-worker","time":"2026-11-20T10:00:00Z"}"""u8);
        Assert.Equal(ResponseKind.LostEvents, lost.Kind);
        Assert.Equal(("kind-worker", "HUBBLE_RING_BUFFER", 7L), (lost.Lost!.Node, lost.Lost.LostSource, lost.Lost.Count));
        var status = decoder.Decode("""{"node_status":{"state_change":"NODE_UNAVAILABLE","node_names":["kind-worker2"]},"node_name":"relay","time":"2026-11-20T10:00:00Z"}"""u8);
        Assert.Equal(ResponseKind.NodeStatus, status.Kind);
        Assert.Equal("NODE_UNAVAILABLE", status.NodeStatus!.State);
        Assert.Equal(["kind-worker2"], status.NodeStatus.Nodes);
    }

    [Fact]
    public void Unknown_fields_and_enum_values_are_tolerated()
    {
        var flow = new HubbleJsonDecoder().Decode(
            """{"flow":{"time":"2026-11-20T10:00:00.123456789Z","verdict":"SOMETHING_NEW","future_field":{"a":[1,2]},"IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":40000,"destination_port":80}},"drop_reason_desc":999},"node_name":"n","time":"2026-11-20T10:00:00.123456789Z"}"""u8).Flow!;
        Assert.Equal(Verdict.Unknown, flow.Verdict);
        Assert.Equal("999", flow.DropReason);
        Assert.Equal(123456789, flow.TimeNs % 1_000_000_000);
    }

    [Fact]
    public async Task Malformed_lines_are_reported_with_their_line_number_and_the_rest_is_imported()
    {
        using var dir = new TempDir();
        var good = File.ReadLines(Path.Combine(Samples, "basic-sample-10-flows.json")).ToList();
        var lines = new List<string> { good[0], "{not json", good[1], """{"flow":{"time":"yesterday"}}""", "[1,2]" };
        lines.AddRange(good.Skip(2));
        var file = dir.File("mixed.json");
        await File.WriteAllLinesAsync(file, lines);
        using var store = InferenceStore.Open(dir.File("s.duckdb"));
        var malformed = new List<MalformedLine>();
        var summary = await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "f", SourceKind = "hubble-file" }, malformed.Add, TimeProvider.System, CancellationToken.None);

        Assert.Equal([2L, 4L, 5L], malformed.Select(m => m.Line));
        Assert.All(malformed, m => Assert.StartsWith(file + ":", m.ToString(), StringComparison.Ordinal));
        Assert.Equal(10, summary.FlowsRead);
        Assert.NotEmpty(store.Reads.Edges());
    }

    [Fact]
    public async Task Gzipped_exports_are_imported()
    {
        using var dir = new TempDir();
        var file = dir.File("flows.json.gz");
        await using (var gz = new System.IO.Compression.GZipStream(File.Create(file), System.IO.Compression.CompressionLevel.Fastest))
        await using (var source = File.OpenRead(Path.Combine(Samples, "basic-sample-400-tcp-flows.json")))
        {
            await source.CopyToAsync(gz);
        }

        using var store = InferenceStore.Open(dir.File("s.duckdb"));
        var summary = await HubbleIngestRunner.ImportFileAsync(store, file, new IngestOptions { Source = "gz", SourceKind = "hubble-file" }, _ => Assert.Fail("no line is malformed"), TimeProvider.System, CancellationToken.None);
        Assert.Equal(400, summary.FlowsRead);
    }
}
