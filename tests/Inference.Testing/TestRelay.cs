using System.Collections.Concurrent;
using System.Net;
using Cilium.Observer;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Testing;

/// <summary>
/// A test Hubble Relay: Kestrel on 127.0.0.1 (a free port; h2c, or TLS/mTLS with <see cref="TestRelayOptions.Tls"/>)
/// serving <c>observer.Observer/GetFlows</c> from fixtures. It honours <c>since</c> (only fixtures at or after it),
/// <c>follow</c> (keeps the stream open after the fixtures until the client cancels) and whitelist
/// <c>source_pod</c>/<c>destination_pod</c> prefixes; it records every request; it can break the first call after N messages.
/// <code>
/// await using var relay = await TestRelay.StartAsync(new TestRelayOptions { Responses = Fixtures.Conversation(100) });
/// // relay.Address is "127.0.0.1:PORT"; relay.Requests are the GetFlowsRequests received
/// // benchmark: new TestRelayOptions { RawMessages = TestRelay.Preserialize(responses) } writes pre-serialized bytes
/// </code>
/// </summary>
public sealed class TestRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RelayState _state;

    private TestRelay(WebApplication app, RelayState state, int port)
    {
        _app = app;
        _state = state;
        Port = port;
    }

    /// <summary><c>127.0.0.1:PORT</c>, as <c>--relay</c> takes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public int Port { get; }

    /// <summary>Every <c>GetFlowsRequest</c> received, in order.</summary>
    public IReadOnlyList<GetFlowsRequest> Requests => _state.Requests;

    /// <summary>Messages written to clients over all calls.</summary>
    public long MessagesSent => Interlocked.Read(ref _state.MessagesSent);

    /// <summary>Completes when at least <paramref name="count"/> calls have arrived (throws <see cref="TimeoutException"/> after <paramref name="timeout"/>).</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_state.Requests.Count < count)
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the test relay received {_state.Requests.Count} GetFlows calls, expected {count}");
            }
        }
    }

    /// <summary>Serializes responses once, up front, for <see cref="TestRelayOptions.RawMessages"/>.</summary>
    public static IReadOnlyList<RawFixture> Preserialize(IEnumerable<GetFlowsResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        return [.. responses.Select(RawFixture.From)];
    }

    public static async Task<TestRelay> StartAsync(TestRelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = new RelayState(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.Tls is { } tls)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = tls.ServerCertificate,
                        ClientCertificateMode = tls.ClientCa is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                        ClientCertificateValidation = tls.ClientCa is null ? null : (certificate, _, _) => TestPki.ChainsTo(certificate, tls.ClientCa),
                    });
                }
            });
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = 16 * 1024 * 1024;
            grpc.EnableDetailedErrors = true;
        });
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        if (options.RawMessages is not null)
        {
            app.MapGrpcService<RawObserverService>();
        }
        else
        {
            app.MapGrpcService<TypedObserverService>();
        }

        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return new TestRelay(app, state, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // open follow streams are aborted by dispose
        }

        await _app.DisposeAsync();
    }
}

/// <summary>What both service flavours share: the fixtures, the requests seen and the fault.</summary>
internal sealed class RelayState(TestRelayOptions options)
{
    private readonly ConcurrentQueue<GetFlowsRequest> _requests = new();
    private int _calls;
    public long MessagesSent;

    public TestRelayOptions Options { get; } = options;

    public IReadOnlyList<RawFixture> Raw { get; } = options.RawMessages ?? [];

    public IReadOnlyList<GetFlowsRequest> Requests => [.. _requests];

    /// <summary>Records the request; returns the 1-based call number.</summary>
    public int Begin(GetFlowsRequest request)
    {
        _requests.Enqueue(request.Clone());
        return Interlocked.Increment(ref _calls);
    }

    public static bool Passes(GetFlowsRequest request, long timeNs, string? sourcePod, string? destinationPod, bool isFlow)
    {
        if (request.Since is { } since && timeNs != 0 && timeNs < Fixtures.Ns(since))
        {
            return false;
        }

        if (request.Until is { } until && timeNs != 0 && timeNs > Fixtures.Ns(until))
        {
            return false;
        }

        if (!isFlow || request.Whitelist.Count == 0)
        {
            return true;
        }

        // filters are ORed; within one filter the fields are ANDed (only the pod fields are implemented)
        return request.Whitelist.Any(f =>
            (f.SourcePod.Count == 0 || (sourcePod is not null && f.SourcePod.Any(p => sourcePod.StartsWith(p, StringComparison.Ordinal)))) &&
            (f.DestinationPod.Count == 0 || (destinationPod is not null && f.DestinationPod.Any(p => destinationPod.StartsWith(p, StringComparison.Ordinal)))));
    }

    /// <summary>Writes the fixtures that pass the request, applies the fault, then follows if asked.</summary>
    public async Task StreamAsync<T>(GetFlowsRequest request, IEnumerable<(T Message, long TimeNs, string? Src, string? Dst, bool IsFlow)> fixtures,
        IServerStreamWriter<T> writer, ServerCallContext context)
    {
        var call = Begin(request);
        if (Options.RefuseWith is { } refused)
        {
            throw new RpcException(new Status(refused, "test relay: refused"));
        }

        var faulty = call == 1 && Options.Fault != RelayFault.None;
        var written = 0;
        var cancellationToken = context.CancellationToken;
        foreach (var (message, timeNs, src, dst, isFlow) in fixtures)
        {
            if (faulty && written >= Options.FaultAfterMessages)
            {
                await FaultAsync(context);
                return;
            }

            if (!Passes(request, timeNs, src, dst, isFlow) || Overwritten(call, timeNs))
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteAsync(message, cancellationToken);
            written++;
            Interlocked.Increment(ref MessagesSent);
            if (Options.DelayBetweenMessages > TimeSpan.Zero)
            {
                await Task.Delay(Options.DelayBetweenMessages, cancellationToken);
            }
        }

        if (faulty)
        {
            await FaultAsync(context);
            return;
        }

        if (request.Follow)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // the client went away: the normal end of a follow stream
            }
        }
    }

    private bool Overwritten(int call, long timeNs) =>
        call > 1 && timeNs != 0 && Options.BufferStartAfterFirstCall is { } start && timeNs < (start.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    private async Task FaultAsync(ServerCallContext context)
    {
        if (Options.Fault == RelayFault.Abort)
        {
            // give the written frames a moment to leave, then reset the stream as a dying relay pod would
            await Task.Delay(50);
            context.GetHttpContext().Abort();
            return;
        }

        throw new RpcException(new Status(StatusCode.Unavailable, "test relay: dropped the stream"));
    }
}

/// <summary>The typed flavour: a real <see cref="Observer.ObserverBase"/> writing <see cref="GetFlowsResponse"/> objects.</summary>
internal sealed class TypedObserverService(RelayState state) : Observer.ObserverBase
{
    public override Task GetFlows(GetFlowsRequest request, IServerStreamWriter<GetFlowsResponse> responseStream, ServerCallContext context) =>
        state.StreamAsync(request, state.Options.Responses.Select(r =>
            (r, Fixtures.TimeNs(r), r.Flow is { } f ? Fixtures.PodName(f.Source) : null, r.Flow is { } g ? Fixtures.PodName(g.Destination) : null, r.Flow is not null)),
            responseStream, context);
}

/// <summary>
/// The raw flavour: <c>observer.Observer/GetFlows</c> bound to a method whose responses are pre-serialized bytes
/// (Grpc.AspNetCore binds a virtual method declared on the type named by <see cref="BindServiceMethodAttribute"/>).
/// </summary>
[BindServiceMethod(typeof(RawObserverBase), nameof(BindService))]
internal abstract class RawObserverBase
{
    public static readonly Method<GetFlowsRequest, byte[]> GetFlowsMethod = new(
        MethodType.ServerStreaming,
        "observer.Observer",
        "GetFlows",
        Marshallers.Create(r => r.ToByteArray(), GetFlowsRequest.Parser.ParseFrom),
        Marshallers.Create(bytes => bytes, bytes => bytes));

    public static void BindService(ServiceBinderBase binder, RawObserverBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(GetFlowsMethod, service is null ? null : service.GetFlows);
    }

    public virtual Task GetFlows(GetFlowsRequest request, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "GetFlows"));
}

internal sealed class RawObserverService(RelayState state) : RawObserverBase
{
    public override Task GetFlows(GetFlowsRequest request, IServerStreamWriter<byte[]> responseStream, ServerCallContext context) =>
        state.StreamAsync(request, state.Raw.Select(r => (r.Bytes, r.TimeNs, r.SourcePod, r.DestinationPod, r.IsFlow)), responseStream, context);
}
