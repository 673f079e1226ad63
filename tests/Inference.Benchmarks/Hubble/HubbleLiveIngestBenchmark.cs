using System.Diagnostics;
using Cilium.Observer;
using Grpc.Core;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Relay;
using Inference.Store;
using Microsoft.Extensions.Logging.Abstractions;
using static Inference.Benchmarks.Hubble.BenchSupport;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// Live gRPC ingest from a pre-serialized relay (its own process, 127.0.0.1, h2c) end to end into DuckDB, ~1M flows.
/// CPU per flow of this process (the relay's work is in the other process) for: the transport floor (raw bytes
/// through Grpc.Net.Client, nothing parsed), Google.Protobuf's generated parser, and our ingester (FollowRelayAsync).
/// Target: ours at most 1.5x the floor, in the median of alternating rounds.
/// </summary>
internal sealed class HubbleLiveIngestBenchmark(long? flows = null) : IBenchmark
{
    private const double Target = 1.5;

    public string Name => "hubble-live-ingest";

    public string Description => "live relay ingest into DuckDB, ~1M flows: our CPU/flow vs the raw-bytes transport floor and the generated parser (target: ours <= 1.5x floor)";

    public async Task<bool> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var wanted = flows ?? FromEnvironment("HUBBLE_BENCH_LIVE_FLOWS", 1_000_000);
        var dir = TempDirectory("live-ingest");
        try
        {
            var generator = new SyntheticHubble();
            var framesPath = Path.Combine(dir, "flows.grpc");
            var watch = Stopwatch.StartNew();
            var (count, bytes) = SyntheticHubble.WriteGrpcFrames(framesPath, generator.Responses(generator.ConnectionsForFlows(wanted)));
            output.WriteLine($"   input: {count:N0} GetFlowsResponse messages, {Mb(bytes)} pre-serialized ({F(bytes / (double)count, "F0")} B/flow), generated in {S(watch.Elapsed)}");

            await using var relay = await RelayProcess.StartAsync(framesPath, cancellationToken);
            var relayOptions = new RelayOptions { Address = relay.Address, IdleTimeout = TimeSpan.FromSeconds(1) };

            // HUBBLE_BENCH_LIVE_ONLY_OURS=1 skips the two baselines, for profiling ours alone
            var onlyOurs = Environment.GetEnvironmentVariable("HUBBLE_BENCH_LIVE_ONLY_OURS") == "1";
            // one run of each moves by 15% with what else the machine does: the floor and ours alternate, and the
            // target is judged on the median round
            var rounds = onlyOurs ? 1 : (int)Math.Max(1, FromEnvironment("HUBBLE_BENCH_LIVE_ROUNDS", 3));
            var ratios = new List<double>();
            var oursAboveFloor = new List<double>();
            double? parserAboveFloor = null;
            var complete = true;
            for (var round = 1; round <= rounds; round++)
            {
                output.WriteLine($"   round {round} of {rounds}:");
                (double WithJit, double Steady)? floor = onlyOurs ? null : await MeasureAsync(output, "floor (raw bytes, no parse)", () => ReceiveRawAsync(relayOptions, count, cancellationToken));
                if (round == 1 && !onlyOurs)
                {
                    // information: the client most Hubble tools are built on
                    var parser = await MeasureAsync(output, "Google.Protobuf generated parser", () => ReceiveGeneratedAsync(relayOptions, count, cancellationToken));
                    parserAboveFloor = parser.Steady - floor!.Value.Steady;
                }

                var db = Path.Combine(dir, $"ours-{round}.duckdb");
                var relayCpuBefore = relay.Cpu;
                IngestSummary? summary = null;
                var ours = await MeasureAsync(output, "ours (FollowRelayAsync -> DuckDB)", async () =>
                {
                    using var store = InferenceStore.Open(db);
                    var options = new IngestOptions { Source = relay.Address, SourceKind = "hubble-relay", Address = relay.Address };
                    summary = await HubbleIngestRunner.FollowRelayAsync(store, relayOptions, options, NullLogger.Instance, TimeProvider.System, cancellationToken);
                    return summary.FlowsRead;
                });
                output.WriteLine($"     ours: {summary!.Connections:N0} connections, {summary.Duplicates:N0} duplicates, stop: {summary.StopReason}; {HubbleFileImportBenchmark.StoredEdges(db)}; "
                    + $"relay process cpu during ours {S(relay.Cpu - relayCpuBefore)} (wall includes the 1 s idle timeout)");
                complete &= summary.FlowsRead == count;

                // JIT time lands on whichever run triggers it (the floor compiles the gRPC client ours reuses; run after
                // the import benchmark, ours finds the tracker and the store compiled): without it, both figures are what
                // a long-running ingest pays per flow, whatever ran before. That is what the target is judged on.
                if (floor is { } f)
                {
                    ratios.Add(ours.Steady / f.Steady);
                    oursAboveFloor.Add(ours.Steady - f.Steady);
                    output.WriteLine($"     µs/flow with JIT time (information): floor {F(f.WithJit)}, ours {F(ours.WithJit)} ({F(ours.WithJit / f.WithJit)}x); "
                        + $"without JIT time: floor {F(f.Steady)}, ours {F(ours.Steady)} (ratio ours/floor {F(ours.Steady / f.Steady)}x)");
                }
                else
                {
                    output.WriteLine($"     µs/flow without JIT time: ours {F(ours.Steady)}");
                }
            }

            if (onlyOurs)
            {
                return false;
            }

            static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            var median = Median(ratios);
            if (parserAboveFloor is { } parserAbove)
            {
                // the issue's own figures (floor 5 us, generated parser 12.6 us, target 1.5x) allow ours 2.5 us above the
                // floor where the parser costs 7.6 us above it: a third of the parser's cost over the transport
                var above = Median(oursAboveFloor);
                output.WriteLine($"   cost above the floor without JIT time (information): ours {F(above)} µs/flow (decode, tracking, aggregation, DuckDB; median round), "
                    + $"generated parser {F(parserAbove)} µs/flow (decode only); ours is {F(above / parserAbove)} of the parser's, where the issue's figures allow {F(2.5 / 7.6)}");
            }

            output.WriteLine($"   ratio ours/floor without JIT time per round: {string.Join(", ", ratios.Select(r => F(r) + "x"))}; median {F(median)}x (target <= {F(Target, "F1")}x)");
            return complete && median <= Target;
        }
        finally
        {
            DeleteQuietly(dir);
        }
    }

    /// <summary>CPU per flow of one run, with and without the JIT time it triggered; prints the run's figures.</summary>
    private static async Task<(double WithJit, double Steady)> MeasureAsync(TextWriter output, string what, Func<Task<long>> run)
    {
        var before = GcSnapshot.Take();
        var (count, wall, cpu) = await TimeAsync(run);
        var after = GcSnapshot.Take();
        var flows = Math.Max(1, count);
        output.WriteLine($"     {what}: {count:N0} flows, wall {S(wall)}, cpu {S(cpu)}, {F(cpu.TotalMicroseconds / flows)} µs/flow cpu; {after.Since(before, flows)}");
        return (cpu.TotalMicroseconds / flows, (cpu - (after.Jit - before.Jit)).TotalMicroseconds / flows);
    }

    /// <summary>The floor: the same messages received as raw bytes through Grpc.Net.Client, nothing parsed.</summary>
    private static async Task<long> ReceiveRawAsync(RelayOptions relay, long expected, CancellationToken cancellationToken)
    {
        using var channel = RelayChannelFactory.Create(relay);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(RawGetFlows.Method, null, new CallOptions(cancellationToken: cts.Token), new GetFlowsRequest { Follow = true });
        long received = 0, bytes = 0;
        while (received < expected && await call.ResponseStream.MoveNext(cts.Token))
        {
            bytes += call.ResponseStream.Current.Length;
            received++;
        }

        await cts.CancelAsync();
        return bytes > 0 ? received : 0;
    }

    /// <summary>A client on Google.Protobuf's generated parser: every field of every flow materialised.</summary>
    private static async Task<long> ReceiveGeneratedAsync(RelayOptions relay, long expected, CancellationToken cancellationToken)
    {
        using var channel = RelayChannelFactory.Create(relay);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var client = new Observer.ObserverClient(channel);
        using var call = client.GetFlows(new GetFlowsRequest { Follow = true }, cancellationToken: cts.Token);
        long received = 0, withFlow = 0;
        while (received < expected && await call.ResponseStream.MoveNext(cts.Token))
        {
            if (call.ResponseStream.Current.Flow is not null)
            {
                withFlow++;
            }

            received++;
        }

        await cts.CancelAsync();
        return withFlow;
    }
}
