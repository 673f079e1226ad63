using System.CommandLine;
using Inference.Cli.Hosting;
using Inference.Cli.Output;
using Inference.Core.Connections;
using Inference.Core.Time;
using Inference.Ingest.Hubble.Files;
using Inference.Ingest.Hubble.Pipeline;
using Inference.Ingest.Hubble.Relay;
using Microsoft.Extensions.Logging;

namespace Inference.Cli.Commands;

/// <summary><c>inference ingest hubble --relay HOST:PORT | --file PATH</c>.</summary>
internal static class IngestHubbleCommand
{
    public static Command Create()
    {
        var relay = new Option<string?>("--relay") { Description = "Hubble Relay address HOST:PORT (tls:// implies --tls); follows GetFlows until stopped", HelpName = "HOST:PORT" };
        var file = new Option<string?>("--file", "-f") { Description = "Import what `hubble observe -o jsonpb` (or -o json) printed: a file, a .gz file, or - for stdin", HelpName = "PATH" };
        var since = new Option<string?>("--since") { Description = "Relay: flows since this time, a duration back (5m, 2h) or RFC 3339 (first connect only; later runs resume from the store)" };
        var namespaces = new Option<string[]>("--namespace", "-n") { Description = "Relay: only flows from or to this namespace (repeatable)", AllowMultipleArgumentsPerToken = false };
        var tls = new Option<bool>("--tls") { Description = "Relay: use TLS" };
        var caFiles = new Option<string[]>("--tls-ca-cert-files") { Description = "Relay: PEM files of the CAs to trust (repeatable)", AllowMultipleArgumentsPerToken = true };
        var clientCert = new Option<string?>("--tls-client-cert-file") { Description = "Relay: client certificate (PEM) for mTLS" };
        var clientKey = new Option<string?>("--tls-client-key-file") { Description = "Relay: client key (PEM) for mTLS" };
        var serverName = new Option<string?>("--tls-server-name") { Description = "Relay: the server name to verify (e.g. instance.hubble-relay.cilium.io)" };
        var insecure = new Option<bool>("--tls-allow-insecure") { Description = "Relay: do not verify the server certificate" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (15s, 5m, 2h)" };
        var idle = new Option<string?>("--idle-timeout") { Description = "Stop after this long with no flow (15s, 5m)" };
        var window = new Option<string>("--connection-window") { Description = "Events of one 5-tuple within this gap are one connection", DefaultValueFactory = _ => "30s" };
        var bucket = new Option<string>("--bucket") { Description = "Time bucket edges are counted in", DefaultValueFactory = _ => "1h" };
        var keepRaw = new Option<int>("--keep-raw") { Description = "File import: keep the first N raw flow lines in the raw_flows table (debugging; capped, off by default)", DefaultValueFactory = _ => 0 };

        var command = new Command("hubble", "Ingest Hubble flows from Hubble Relay (live, follow mode) or from exported files");
        foreach (var option in new Option[] { relay, file, since, namespaces, tls, caFiles, clientCert, clientKey, serverName, insecure, duration, idle, window, bucket, keepRaw })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var relayAddress = parseResult.GetValue(relay);
            var filePath = parseResult.GetValue(file);
            if ((relayAddress is null) == (filePath is null))
            {
                throw new CliException("give exactly one of --relay HOST:PORT or --file PATH");
            }

            var options = new IngestOptions
            {
                Source = relayAddress is not null ? IngestOptions.RelaySource(relayAddress) : "hubble-file:" + (filePath == "-" ? "stdin" : Path.GetFullPath(filePath!)),
                SourceKind = relayAddress is not null ? "hubble-relay" : "hubble-file",
                Address = relayAddress ?? filePath,
                Connections = new ConnectionOptions { Window = Duration(parseResult.GetValue(window)!, "--connection-window") },
                Bucket = Duration(parseResult.GetValue(bucket)!, "--bucket"),
                KeepRaw = parseResult.GetValue(keepRaw),
            };
            using var store = StoreAccess.Open(parseResult, readOnly: false);
            IngestSummary summary;
            if (filePath is not null)
            {
                if (filePath != "-" && !File.Exists(filePath))
                {
                    throw new CliException($"--file {filePath}: no such file");
                }

                summary = await HubbleIngestRunner.ImportFileAsync(store, filePath, options,
                    bad => error.WriteLine($"warning: skipped malformed line {bad}"), TimeProvider.System, cancellationToken);
            }
            else
            {
                using var loggers = CliLoggerProvider.CreateFactory(error);
                var relayOptions = new RelayOptions
                {
                    Address = relayAddress!,
                    Tls = parseResult.GetValue(tls),
                    TlsCaCertFiles = parseResult.GetValue(caFiles) ?? [],
                    TlsClientCertFile = parseResult.GetValue(clientCert),
                    TlsClientKeyFile = parseResult.GetValue(clientKey),
                    TlsServerName = parseResult.GetValue(serverName),
                    TlsAllowInsecure = parseResult.GetValue(insecure),
                    Since = EdgesCommand.TimeOption(parseResult.GetValue(since), "--since", DateTimeOffset.UtcNow),
                    Namespaces = parseResult.GetValue(namespaces) ?? [],
                    Duration = parseResult.GetValue(duration) is { } d ? Duration(d, "--duration") : null,
                    IdleTimeout = parseResult.GetValue(idle) is { } i ? Duration(i, "--idle-timeout") : null,
                };
                try
                {
                    summary = await HubbleIngestRunner.FollowRelayAsync(store, relayOptions, options, loggers.CreateLogger("relay"), TimeProvider.System, cancellationToken);
                }
                catch (Exception ex) when (ex is RelayException or ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
                {
                    throw new CliException(ex.Message, 1, ex);
                }
            }

            // on stderr: diagnostics, and scripts reading the summary line keep one line on stdout
            var inputName = filePath is null ? null : HubbleFileImporter.DisplayName(filePath);
            if (summary.AlreadyStored?.Import is { } import)
            {
                await error.WriteLineAsync(
                    $"{inputName}: its first {import.Lines} lines were already imported (as {import.Source}, {Utc(import.ImportedAt)}): " +
                    (summary.AlreadyStored.MoreAfter ? "imported only what follows them" : "nothing new to import"));
            }

            if (summary.AlreadyStored?.Unfinished is { } unfinished)
            {
                await error.WriteLineAsync(
                    $"{inputName}: an import of its first {unfinished.Lines} lines (as {unfinished.Source}, last stored {Utc(unfinished.ImportedAt)}) " +
                    $"stopped before it finished: {summary.Replayed} of them were read again only to finish the connections it left open; nothing it stored is counted twice");
            }

            foreach (var shared in summary.SharedCoverage)
            {
                await error.WriteLineAsync("warning: " + SharedCoverageWarning.Text(inputName, shared, FlowPipeline.Remembered(options)));
            }

            await output.WriteLineAsync(
                $"{summary.Source}: {summary.FlowsRead} flows, {summary.Connections} connections, {summary.Duplicates} duplicate events dropped, " +
                $"{summary.Malformed} malformed lines skipped, {summary.LostEvents} events lost by Hubble ({summary.StopReason}); store {store.Path}");
            if (summary.Failure is { } failure)
            {
                throw new CliException(failure + " (what came before is stored)");
            }

            return 0;
        });
        return command;
    }

    internal static TimeSpan Duration(string text, string option)
    {
        try
        {
            return GoDuration.Parse(text, option);
        }
        catch (FormatException ex)
        {
            throw new CliException(ex.Message, 2, ex);
        }
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
