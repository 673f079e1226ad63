using Confluent.Kafka;
using Google.Protobuf;
using Grpc.Core;
using Inference.Ingest.Calico.Goldmane.Api;
using Microsoft.Extensions.Logging;

namespace Inference.Ingest.Calico.Bridge;

/// <summary>
/// Streams Goldmane's flows (<c>goldmane.Flows/Stream</c>) into Kafka, one flow per message as protojson (what the consumer
/// reads beside Felix records), keyed by the flow's key hash. On a restart it asks Goldmane for the windows since the
/// newest one in the topic and skips the flows already there, so there is neither a gap nor a duplicate.
/// </summary>
public sealed class GoldmaneBridge(GoldmaneBridgeOptions options, ILogger logger, TimeProvider time)
{
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private const long GoldmaneHistorySeconds = 3600;

    public async Task<GoldmaneBridgeResult> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Duration is { } d)
        {
            stop.CancelAfter(d);
        }

        var resume = ResumePoint.Read(options);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (resume.Latest > 0 && now - resume.Latest > GoldmaneHistorySeconds)
        {
            Log.BridgeGap(logger, resume.Latest, now - GoldmaneHistorySeconds);
        }

        if (resume.Produced.Count > 0)
        {
            Log.BridgeResume(logger, resume.Produced.Count, resume.Since);
        }

        var config = new ProducerConfig(options.Kafka.Values.ToDictionary())
        {
            BootstrapServers = options.Brokers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 20,
        };
        using var producer = new ProducerBuilder<string, string>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m.Facility, options.Kafka.Redact(m.Message)))
            .SetErrorHandler((_, e) => Log.BrokerError(logger, options.Kafka.Redact(e.Reason), e.Code.ToString()))
            .Build();

        long produced = 0, skipped = 0;
        var since = resume.Since;
        var backoff = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var channel = GoldmaneChannel.Create(options);
                var client = new Flows.FlowsClient(channel);
                using var call = client.Stream(new FlowStreamRequest { StartTimeGte = since, AggregationInterval = options.AggregationIntervalSeconds }, cancellationToken: stop.Token);
                Log.BridgeStreaming(logger, options.Goldmane, since, options.Topic);
                await foreach (var result in call.ResponseStream.ReadAllAsync(stop.Token))
                {
                    backoff = TimeSpan.FromSeconds(1);
                    var flow = result.Flow;
                    if (flow?.Key is null)
                    {
                        continue;
                    }

                    var key = FlowIdentity.KeyHash(flow);
                    if (resume.Produced.Contains((flow.StartTime, key)))
                    {
                        skipped++;
                        continue;
                    }

                    Produce(producer, key, flow);
                    produced++;
                    // a reconnect resumes from the newest window produced; its flows already sent are skipped
                    if (flow.StartTime > since)
                    {
                        since = flow.StartTime;
                    }

                    resume.Produced.Add((flow.StartTime, key));
                }

                Log.BridgeReconnect(logger, "Goldmane closed the stream", backoff);
            }
            catch (RpcException ex) when (!stop.IsCancellationRequested)
            {
                Log.BridgeReconnect(logger, $"{ex.StatusCode}: {ex.Status.Detail}", backoff);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException ex) when (!stop.IsCancellationRequested)
            {
                Log.BridgeReconnect(logger, ex.Message, backoff);
            }

            try
            {
                await Task.Delay(backoff, time, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
        }

        var reason = options.Duration is not null && !cancellationToken.IsCancellationRequested ? "duration" : "cancelled";

        // whatever was read goes out before exit
        producer.Flush(TimeSpan.FromSeconds(30));
        return new GoldmaneBridgeResult(produced, skipped, resume.Since, reason);
    }

    private void Produce(IProducer<string, string> producer, string key, Flow flow)
    {
        var message = new Message<string, string> { Key = key, Value = Json.Format(flow) };
        while (true)
        {
            try
            {
                producer.Produce(options.Topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        Log.BridgeProduceFailed(logger, options.Kafka.Redact(report.Error.Reason));
                    }
                });
                return;
            }
            catch (ProduceException<string, string> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // the broker is slower than Goldmane for a moment: wait for deliveries instead of dropping flows
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
