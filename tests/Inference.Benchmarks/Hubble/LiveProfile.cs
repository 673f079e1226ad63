using System.Buffers.Binary;
using Inference.Core.Connections;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Protobuf;
using static Inference.Benchmarks.Hubble.BenchSupport;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// Where the live path's CPU goes past the transport: the benchmark's pre-serialized messages replayed in process
/// (no gRPC) through decode, then decode and connection tracking, then the whole pipeline into DuckDB, each timed.
/// </summary>
internal static class LiveProfile
{
    public const string Argument = "--profile-live";

    public static async Task RunAsync(TextWriter output, long flows, string dir)
    {
        var generator = new SyntheticHubble();
        var framesPath = Path.Combine(dir, "flows.grpc");
        var (count, _) = SyntheticHubble.WriteGrpcFrames(framesPath, generator.Responses(generator.ConnectionsForFlows(flows)));
        var messages = Split(await File.ReadAllBytesAsync(framesPath));
        output.WriteLine($"   {count:N0} messages in memory");
        for (var round = 0; round < 2; round++)
        {
            // decoded straight from the message bytes, as the relay path decodes from gRPC's buffer
            var decoder = new HubbleProtoDecoder();
            var (decode, decodeBytes) = Stage(messages, m => decoder.Decode(m.Span));
            var decoder2 = new HubbleProtoDecoder();
            var tracker = new ConnectionTracker();
            var closed = new List<Connection>();
            var (track, trackBytes) = Stage(messages, m =>
            {
                var r = decoder2.Decode(m.Span);
                if (r.Kind == ResponseKind.Flow)
                {
                    tracker.Add(r.Flow!, closed);
                    closed.Clear();
                }
            });
            var db = Path.Combine(dir, $"profile-{round}.duckdb");
            var cpu = ProcessCpu();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            TimeSpan opened, accepted, queued, flushed;
            using (var store = Inference.Store.InferenceStore.Open(db))
            {
                opened = ProcessCpu();
                await using var writer = new Inference.Store.Writing.StoreWriter(store);
                var pipeline = new FlowPipeline(new IngestOptions { Source = "profile", SourceKind = "hubble-relay" }, writer, TimeProvider.System);
                var decoder3 = new HubbleProtoDecoder();
                foreach (var m in messages)
                {
                    pipeline.Accept(decoder3.Decode(m.Span));
                    if (pipeline.FlushDue)
                    {
                        await pipeline.FlushAsync(final: false, CancellationToken.None);
                    }
                }

                accepted = ProcessCpu();
                await pipeline.FlushAsync(final: true, CancellationToken.None);
                queued = ProcessCpu();
                await writer.CompleteAsync();
                flushed = ProcessCpu();
            }

            var all = ProcessCpu() - cpu;
            var allBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            double Us(TimeSpan t) => t.TotalMicroseconds / count;
            output.WriteLine($"   round {round} allocated B/flow: decode {decodeBytes / count}, +tracking {(trackBytes - decodeBytes) / count}, whole pipeline {allBytes / count}");
            output.WriteLine($"   round {round} µs/flow cpu: decode {F(Us(decode))}, +tracking {F(Us(track - decode))}, "
                + $"whole pipeline into DuckDB {F(Us(all))} [open {S(opened - cpu)}, accept loop {F(Us(accepted - opened))}, final flush {S(flushed - accepted)} (aggregate {S(queued - accepted)}), close {S(ProcessCpu() - flushed)}] (GC gen0/1/2 so far {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)})");
        }
    }

    private static List<ReadOnlyMemory<byte>> Split(byte[] frames)
    {
        var list = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < frames.Length;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(frames.AsSpan(offset + 1));
            list.Add(frames.AsMemory(offset + 5, size));
            offset += 5 + size;
        }

        return list;
    }

    private static (TimeSpan Cpu, long Allocated) Stage(List<ReadOnlyMemory<byte>> messages, Action<ReadOnlyMemory<byte>> action)
    {
        var cpu = ProcessCpu();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        foreach (var m in messages)
        {
            action(m);
        }

        return (ProcessCpu() - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }
}
