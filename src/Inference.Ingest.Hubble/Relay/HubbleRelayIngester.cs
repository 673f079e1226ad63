using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Ingest.Hubble.Decoding;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Protobuf;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Hubble.Relay;

/// <summary>Why a relay ingest stopped.</summary>
public enum RelayStopReason
{
    Cancelled,
    Duration,
    IdleTimeout,
}

/// <summary>
/// Follows <c>GetFlows</c> on Hubble Relay until stopped: a receive loop decodes messages as gRPC reads them into a
/// bounded channel, a processing loop assembles connections and stores them. When the relay goes away it reconnects
/// with backoff and resumes from the last flow seen minus a margin; duplicates are dropped by the tracker, holes are
/// recorded as data gaps.
/// </summary>
public sealed class HubbleRelayIngester(RelayOptions options, FlowPipeline pipeline, ILogger logger, TimeProvider time)
{
    private const int BatchHint = 256;

    // messages cross to the processing loop in arrays of up to this many: one channel operation each, not one per flow
    private const int HandOver = 128;
    private static readonly TimeSpan DrainPause = TimeSpan.FromMilliseconds(2);
    private readonly HubbleProtoDecoder _decoder = new();

    // received but not yet handed over when the receive loop ended: processed after the channel is drained
    private List<RelayMessage>? _unsent;

    public int Connects { get; private set; }

    /// <summary>Messages received from the relay over the whole run (zero: it was never reached).</summary>
    public long MessagesReceived { get; private set; }

    /// <summary>Why the last attempt to stream failed, for the error when the relay was never reached.</summary>
    public string? LastError { get; private set; }

    /// <summary>While the relay is unreachable or the stream broke and no message came since: why (a service shows it as the state).</summary>
    public string? Retrying => _retrying;

    private volatile string? _retrying;

    public async Task<RelayStopReason> RunAsync(ResumeStateView resume, CancellationToken cancellationToken)
    {
        using var durationCts = options.Duration is { } d ? new CancellationTokenSource(d, time) : new CancellationTokenSource();
        using var idleCts = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, durationCts.Token, idleCts.Token);
        var messages = Channel.CreateBounded<List<RelayMessage>>(new BoundedChannelOptions(Math.Max(1, options.ReceiveBuffer / HandOver)) { SingleReader = true, SingleWriter = true });
        pipeline.Resume(resume);

        var receive = Task.Run(() => ReceiveLoopAsync(messages.Writer, resume, stop.Token), CancellationToken.None);
        try
        {
            await ProcessLoopAsync(messages.Reader, idleCts, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopping is the normal end of a follow stream
        }

        await stop.CancelAsync();
        Exception? failure = null;
        try
        {
            await receive;
        }
        catch (OperationCanceledException)
        {
            // the receive loop ends by cancellation
        }
        catch (Exception ex) when (ex is RelayException or ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
        {
            // store what was received first, then report the failure
            failure = ex;
        }

        // whatever was received before the stop is still stored, in the order it came
        while (messages.Reader.TryRead(out var received))
        {
            received.ForEach(Process);
        }

        _unsent?.ForEach(Process);
        _unsent = null;

        await pipeline.FlushAsync(final: true, CancellationToken.None);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return durationCts.IsCancellationRequested ? RelayStopReason.Duration : idleCts.IsCancellationRequested ? RelayStopReason.IdleTimeout : RelayStopReason.Cancelled;
    }

    private async Task ProcessLoopAsync(ChannelReader<List<RelayMessage>> reader, CancellationTokenSource idle, CancellationToken cancellationToken)
    {
        var lastFlow = time.GetTimestamp();
        var flowsAtCheck = pipeline.FlowsRead;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = options.IdleTimeout is { } t ? TimeSpan.FromMilliseconds(Math.Min(t.TotalMilliseconds, 1000)) : TimeSpan.FromSeconds(1);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(wait);
            try
            {
                if (!await reader.WaitToReadAsync(tick.Token))
                {
                    // the receive loop ended (a refused request or a bad channel setting): stop instead of spinning
                    return;
                }

                var drained = 0;
                while (reader.TryRead(out var received))
                {
                    foreach (var message in received)
                    {
                        Process(message);
                    }

                    drained += received.Count;
                    if (pipeline.FlushDue)
                    {
                        await pipeline.FlushAsync(final: false, cancellationToken);
                    }
                }

                if (drained < BatchHint)
                {
                    // waking up per message costs more than decoding it: let a few milliseconds of messages queue up
                    await Task.Delay(DrainPause, time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // a quiet second: time to flush and check the idle timeout
            }

            if (pipeline.FlushDue)
            {
                await pipeline.FlushAsync(final: false, cancellationToken);
            }

            if (pipeline.FlowsRead != flowsAtCheck)
            {
                flowsAtCheck = pipeline.FlowsRead;
                lastFlow = time.GetTimestamp();
            }
            else if (options.IdleTimeout is { } timeout && time.GetElapsedTime(lastFlow) >= timeout)
            {
                await idle.CancelAsync();
                return;
            }
        }
    }

    private void Process(RelayMessage message)
    {
        if (message.Error is { } error)
        {
            RelayLog.Undecodable(logger, error);
            return;
        }

        var response = message.Response;
        if (response.Kind == ResponseKind.NodeStatus && response.NodeStatus!.State != "NODE_CONNECTED")
        {
            RelayLog.NodeStatus(logger, string.Join(',', response.NodeStatus.Nodes), response.NodeStatus.State, response.NodeStatus.Message);
        }
        else if (response.Kind == ResponseKind.LostEvents)
        {
            RelayLog.LostEvents(logger, response.Lost!.Count, response.Lost.Node, response.Lost.LostSource);
        }

        if (response.Kind == ResponseKind.Flow && _awaitingFirstFlowAfter is var (after, when))
        {
            // the resume asked for flows from before the last one seen: a relay still holding it sends it (or earlier) first
            _awaitingFirstFlowAfter = null;
            var windowNs = (long)TimeSpan.FromSeconds(30).TotalNanoseconds;
            if (response.Flow!.TimeNs > after + windowNs)
            {
                RelayLog.Gap(logger, Writing(after), Writing(response.Flow.TimeNs), when);
                pipeline.ReportGap(null, after, response.Flow.TimeNs, when + " the relay returned no flows for this time; its ring buffer may no longer have held them");
            }
        }

        pipeline.Accept(response);
    }

    private (long AfterNs, string When)? _awaitingFirstFlowAfter;

    private static DateTimeOffset Writing(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    private async Task ReceiveLoopAsync(ChannelWriter<List<RelayMessage>> writer, ResumeStateView resume, CancellationToken cancellationToken)
    {
        var batch = new List<RelayMessage>(HandOver);
        var backoff = options.InitialBackoff;
        var marginNs = (long)options.ResumeMargin.TotalNanoseconds;
        try
        {
            // inside the try: a bad address or TLS file must complete the channel, or the process loop waits for nothing
            using var channel = RelayChannelFactory.Create(options);
            var invoker = channel.CreateCallInvoker();
            var method = DecodedGetFlows.Create(_decoder);
            while (!cancellationToken.IsCancellationRequested)
            {
                // resume from what this run saw, else from what the store saw, else from --since
                long? sinceNs = pipeline.LastFlowNs > 0 ? pipeline.LastFlowNs - marginNs
                    : resume.ResumeFromNs is { } r ? r - marginNs
                    : options.Since is { } s ? (s.UtcTicks - DateTime.UnixEpoch.Ticks) * 100 : null;
                if (Connects > 0 && pipeline.LastFlowNs > 0)
                {
                    _awaitingFirstFlowAfter = (pipeline.LastFlowNs, "after a reconnect");
                }
                else if (Connects == 0 && resume.LastFlowNs is { } stored)
                {
                    // a restart (after a stop, a crash or a redeploy) can find the relay's buffer past what the last run stored
                    _awaitingFirstFlowAfter = (stored, "between the last run and this one");
                }

                var request = BuildRequest(sinceNs);
                Connects++;
                RelayLog.Connecting(logger, options.Address, sinceNs is { } ns ? Writing(ns).ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "now");
                string reason;
                try
                {
                    using var call = invoker.AsyncServerStreamingCall(method, null, new CallOptions(cancellationToken: cancellationToken), request);
                    var streaming = false;
                    while (true)
                    {
                        var next = call.ResponseStream.MoveNext(cancellationToken);
                        if (!next.IsCompleted && batch.Count > 0)
                        {
                            // nothing more is buffered: hand over what came rather than wait with it
                            batch = await HandOverAsync(writer, batch, cancellationToken);
                        }

                        if (!await next)
                        {
                            break;
                        }

                        if (!streaming)
                        {
                            streaming = true;
                            _retrying = null;
                        }

                        batch.Add(call.ResponseStream.Current);
                        MessagesReceived++;
                        backoff = options.InitialBackoff;
                        if (batch.Count == HandOver)
                        {
                            batch = await HandOverAsync(writer, batch, cancellationToken);
                        }
                    }

                    reason = "the stream ended";
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument or StatusCode.Unimplemented or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
                {
                    throw new RelayException($"Hubble Relay {options.Address} refused GetFlows: {ex.Status.StatusCode}: {ex.Status.Detail}", ex);
                }
                catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    reason = $"{ex.StatusCode}: {ex.Status.Detail}";
                }
                catch (RpcException) when (cancellationToken.IsCancellationRequested)
                {
                    // Grpc.Net.Client reports our own stop as StatusCode.Cancelled: the normal end of a follow stream
                    return;
                }

                if (batch.Count > 0)
                {
                    // what came before the stream ended or broke is processed now, not after the backoff
                    batch = await HandOverAsync(writer, batch, cancellationToken);
                }

                LastError = reason;
                _retrying = $"{reason} (retrying in {backoff.TotalSeconds:0.#}s)";
                if (MessagesReceived == 0)
                {
                    RelayLog.Unreachable(logger, options.Address, reason, backoff);
                }
                else
                {
                    RelayLog.Reconnecting(logger, options.Address, reason, backoff);
                }

                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
            }
        }
        finally
        {
            // a stop can come between receiving and handing over: those messages are still processed
            _unsent = batch.Count > 0 ? batch : null;
            writer.TryComplete();
        }
    }

    /// <summary>
    /// Hands a filled array to the processing loop and returns an empty one. If the write is cancelled, the caller still
    /// holds the filled array, which a stop then processes.
    /// </summary>
    private static async Task<List<RelayMessage>> HandOverAsync(ChannelWriter<List<RelayMessage>> writer, List<RelayMessage> batch, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(batch, cancellationToken);
        return new List<RelayMessage>(HandOver);
    }

    private Cilium.Observer.GetFlowsRequest BuildRequest(long? sinceNs)
    {
        var request = new Cilium.Observer.GetFlowsRequest { Follow = true };
        if (sinceNs is { } ns)
        {
            request.Since = new Timestamp { Seconds = ns / 1_000_000_000, Nanos = (int)(ns % 1_000_000_000) };
        }

        foreach (var ns2 in options.Namespaces)
        {
            // "either side", as the hubble CLI sends --namespace: two whitelist filters, ORed
            request.Whitelist.Add(new Cilium.Flow.FlowFilter { SourcePod = { ns2 + "/" } });
            request.Whitelist.Add(new Cilium.Flow.FlowFilter { DestinationPod = { ns2 + "/" } });
        }

        return request;
    }
}

/// <summary>The relay refused the request in a way retrying cannot fix.</summary>
public sealed class RelayException(string message, Exception? inner = null) : Exception(message, inner);
