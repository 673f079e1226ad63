using Inference.Cli.Output;
using Inference.Ingest.Calico.Kafka;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Relay;
using Inference.Store;
using Inference.Store.Writing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Serve;

/// <summary>
/// Runs every configured ingester until the service stops, restarting a failed one with exponential backoff. All of
/// them write through ONE <see cref="StoreWriter"/> on the write store: its channel serializes their batches onto the
/// store's single connection (a DuckDB connection must not run two transactions at once, and the store's peer and
/// workload caches belong to one writer). On stop each ingester flushes what it holds, the writer commits what is
/// queued, and the store is checkpointed.
/// </summary>
internal sealed partial class IngestSupervisor(ServeContext context, ILogger<IngestSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = new StoreWriter(context.WriteStore);
        var loops = new List<Task>();
        foreach (var relay in context.Options.Relays)
        {
            var state = context.AddIngester(IngestOptions.RelaySource(relay.Address), "hubble-relay");
            loops.Add(Task.Run(() => SuperviseAsync(state, ct => RunRelayAsync(relay, writer, state, ct), stoppingToken), CancellationToken.None));
        }

        foreach (var kafka in context.Options.Kafka)
        {
            var options = new CalicoIngestOptions
            {
                Brokers = kafka.Brokers,
                Topic = kafka.Topic,
                Group = kafka.Group,
                FromBeginning = kafka.FromBeginning,
                Kafka = KafkaSettings.Parse(kafka.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"), null),
            };
            var state = context.AddIngester(options.SourceName, "calico-kafka");
            loops.Add(Task.Run(() => SuperviseAsync(state, async ct =>
            {
                var ingest = new CalicoKafkaIngest(context.WriteStore, writer, options, logger, context.Time);
                // librdkafka retries unreachable brokers itself: its reason shows as the state
                state.Running(context.Time.GetUtcNow(), null, () => ingest.Retrying);
                await ingest.RunAsync(ct);
            }, stoppingToken), CancellationToken.None));
        }

        if (loops.Count == 0)
        {
            // nothing to ingest: the page and the API serve what the store holds until the stop
            loops.Add(WaitForStopAsync(stoppingToken));
        }

        await Task.WhenAll(loops);
        try
        {
            await writer.CompleteAsync();
            context.WriteStore.Checkpoint();
            LogFlushed(logger, writer.BatchesWritten);
        }
        catch (StoreException ex)
        {
            LogWriterFailed(logger, ex.Message);
        }
    }

    private static async Task WaitForStopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // the stop
        }
    }

    private async Task RunRelayAsync(RelaySource relay, StoreWriter writer, IngesterState state, CancellationToken ct)
    {
        var options = new IngestOptions { Source = IngestOptions.RelaySource(relay.Address), SourceKind = "hubble-relay", Address = relay.Address };
        var relayOptions = new RelayOptions
        {
            Address = relay.Address,
            Tls = relay.Tls,
            TlsCaCertFiles = relay.TlsCaCert,
            TlsClientCertFile = relay.TlsClientCert,
            TlsClientKeyFile = relay.TlsClientKey,
            TlsServerName = relay.TlsServerName,
            Namespaces = relay.Namespaces,
        };
        var resume = ResumeStateView.From(context.WriteStore, options.Source);
        var earlier = EarlierCoverage.ForRelay(context.WriteStore, options);
        var pipeline = new FlowPipeline(options, writer, context.Time);
        var ingester = new HubbleRelayIngester(relayOptions, pipeline, logger, context.Time);
        // an unreachable relay is retried inside the ingester: its reason shows as the state, not a silent "running"
        state.Running(context.Time.GetUtcNow(), () => pipeline.FlowsRead, () => ingester.Retrying);
        try
        {
            await ingester.RunAsync(resume, ct);
        }
        finally
        {
            // said when the run ends (a stop, a restart): by then every flow it read has been flushed
            foreach (var shared in earlier.SharedWith(pipeline))
            {
                LogSharedCoverage(logger, SharedCoverageWarning.Text(null, shared, FlowPipeline.Remembered(options), withSince: false));
            }
        }
    }

    private async Task SuperviseAsync(IngesterState state, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(context.Options.RestartInitialSeconds);
        var max = TimeSpan.FromSeconds(context.Options.RestartMaxSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = context.Time.GetUtcNow();
            string error;
            try
            {
                await run(stoppingToken);
                if (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                error = "ended on its own";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                error = ex.Message;
            }

            // a run that lasted a while starts the backoff over
            if (context.Time.GetUtcNow() - started > max)
            {
                backoff = TimeSpan.FromSeconds(context.Options.RestartInitialSeconds);
            }

            state.Failed(context.Time.GetUtcNow(), error, backoff);
            LogRestarting(logger, state.Source, error, backoff.TotalSeconds);
            try
            {
                await Task.Delay(backoff, context.Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(max.Ticks, backoff.Ticks * 2));
        }

        state.Stopped(context.Time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ingester {Source} stopped: {Error}; restarting in {Seconds:0.#}s")]
    private static partial void LogRestarting(ILogger logger, string source, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogSharedCoverage(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "ingesters stopped; {Batches} batches committed, store checkpointed")]
    private static partial void LogFlushed(ILogger logger, long batches);

    [LoggerMessage(Level = LogLevel.Error, Message = "the store writer failed: {Error}")]
    private static partial void LogWriterFailed(ILogger logger, string error);
}
