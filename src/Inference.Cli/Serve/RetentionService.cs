using Inference.Store.Retention;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Serve;

/// <summary>Rolls old buckets up into daily ones on start and then every interval, so the DB does not grow without bound.</summary>
internal sealed partial class RetentionService(ServeContext context, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = context.Options.Retention;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var cutoff = context.Time.GetUtcNow().AddDays(-settings.HourlyDays);
                var rolled = await ServeApi.ReadAsync(context, () => BucketRollup.Run(context.ReadStore.Connection, cutoff), stoppingToken);
                if (rolled > 0)
                {
                    LogRolled(logger, rolled, settings.HourlyDays);
                }

                await Task.Delay(TimeSpan.FromMinutes(settings.IntervalMinutes), context.Time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (DuckDB.NET.Data.DuckDBException ex)
            {
                // a conflict with an ingest transaction: try again next round
                LogFailed(logger, ex.Message);
                await Task.Delay(TimeSpan.FromMinutes(settings.IntervalMinutes), context.Time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retention: rolled {Rows} buckets older than {Days} days into daily buckets")]
    private static partial void LogRolled(ILogger logger, long rows, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "retention roll-up failed, retrying next interval: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
