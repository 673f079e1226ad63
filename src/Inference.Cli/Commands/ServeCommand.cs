using System.CommandLine;
using Inference.Cli.Serve;

namespace Inference.Cli.Commands;

/// <summary><c>inference serve</c>: the week-long service (ingesters, review page, JSON API, metrics).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "YAML config file (relays, kafka, retention, export); INFERENCE_* variables and flags override it", HelpName = "FILE" };
        var listen = new Option<string?>("--listen") { Description = "Address of the page and API (default 127.0.0.1:8080)", HelpName = "ADDRESS:PORT" };
        var relays = new Option<string[]>("--relay") { Description = "Hubble Relay to follow (repeatable; adds to the config file's)", HelpName = "HOST:PORT" };
        var format = new Option<string?>("--format") { Description = "Policy format shown and exported: kubernetes|cilium|calico-staged", HelpName = "FORMAT" };
        var openReads = new Option<bool>("--open-reads") { Description = "Serve the page and read API to non-loopback clients too (writes always need the token)" };
        var exportRepo = new Option<string?>("--export-repo") { Description = "Git working copy the page's export button writes to", HelpName = "PATH" };
        var deployed = new Option<string[]>("--deployed") { Description = "Deployed policies, file or directory: the page shows what they would break (repeatable; adds to the config file's)", HelpName = "PATH" };
        var command = new Command("serve", "Run the configured ingesters for days, serve the review page, the JSON API, /healthz and /metrics")
        {
            config, listen, relays, format, openReads, exportRepo, deployed,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            if (parseResult.GetResult(GlobalOptions.Db) is { Implicit: false })
            {
                flags["db"] = parseResult.GetValue(GlobalOptions.Db);
            }

            if (parseResult.GetValue(listen) is { } l)
            {
                flags["listen"] = l;
            }

            if (parseResult.GetValue(format) is { } f)
            {
                flags["format"] = f;
            }

            if (parseResult.GetValue(openReads))
            {
                flags["openReads"] = "true";
            }

            if (parseResult.GetValue(exportRepo) is { } repo)
            {
                flags["export:repo"] = repo;
            }

            var options = ServeConfiguration.Load(parseResult.GetValue(config), flags);
            foreach (var address in parseResult.GetValue(relays) ?? [])
            {
                options.Relays.Add(new RelaySource { Address = address });
            }

            options.Deployed.AddRange(parseResult.GetValue(deployed) ?? []);
            var io = parseResult.InvocationConfiguration;
            return await ServeHost.RunAsync(options, io.Output, io.Error, cancellationToken);
        });
        return command;
    }
}
