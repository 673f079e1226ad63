using System.Net;
using Inference.Cli.Hosting;
using Inference.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Serve;

/// <summary>Builds and runs the service: stores, token, ingesters, retention, the HTTP surface; stops gracefully on SIGTERM/Ctrl-C.</summary>
internal static class ServeHost
{
    public static async Task<int> RunAsync(ServeOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var endpoint = ParseListen(options.Listen);
        DeployedBreaks.Check(options.Deployed);
        InferenceStore writeStore;
        InferenceStore readStore;
        try
        {
            writeStore = InferenceStore.Open(options.Db);
            readStore = InferenceStore.Open(options.Db);
        }
        catch (StoreException ex)
        {
            throw new CliException(ex.Message, 1, ex);
        }

        using (writeStore)
        using (readStore)
        {
            var token = WriteToken.LoadOrCreate(options.Db, out var created);
            if (created is not null)
            {
                await output.WriteLineAsync($"write token (shown once; stored in {WriteToken.PathFor(options.Db)}, mode 0600): {created}");
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new CliLoggerProvider(error, LogLevel.Information));
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
            builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownSeconds));
            var context = new ServeContext(options, writeStore, readStore, token, TimeProvider.System);
            builder.Services.AddSingleton(context);
            builder.Services.AddHostedService<IngestSupervisor>();
            builder.Services.AddHostedService<RetentionService>();
            await using var app = builder.Build();
            ServeApi.Map(app, context, new Metrics(context.Time), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("serve"));
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                throw new CliException($"--listen {options.Listen}: {ex.Message}", 1, ex);
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            await output.WriteLineAsync($"listening on {address} ({options.Relays.Count} relays, {options.Kafka.Count} kafka topics; store {writeStore.Path})");
            await output.FlushAsync(cancellationToken);
            try
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }

            await output.WriteLineAsync("stopped: ingesters flushed, store committed");
            return 0;
        }
    }

    public static IPEndPoint ParseListen(string listen)
    {
        var text = listen.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? listen[7..] : listen;
        if (!IPEndPoint.TryParse(text, out var endpoint) || text.LastIndexOf(':') < 0)
        {
            throw new CliException($"--listen {listen}: expected ADDRESS:PORT such as 127.0.0.1:8080 (0.0.0.0:8080 for every interface)", 2);
        }

        return endpoint;
    }
}
