using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inference.Benchmarks.Hubble;

/// <summary>
/// A minimal Hubble Relay for benchmarks: <c>/observer.Observer/GetFlows</c> over h2c on 127.0.0.1, answering every call
/// with the same pre-serialized gRPC frames (loaded once into memory) and then keeping the stream open like
/// <c>--follow</c>. It runs in its own process so the benchmark process's CPU time is the client's alone.
/// </summary>
internal static class FrameRelay
{
    public const string Argument = "--serve-relay";

    /// <summary>The child process: serves <paramref name="framesPath"/>, prints <c>listening PORT</c>, exits when stdin closes.</summary>
    public static async Task<int> ServeAsync(string framesPath)
    {
        var frames = await File.ReadAllBytesAsync(framesPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            k.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapPost("/observer.Observer/GetFlows", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-encoding"] = "identity";
            var aborted = context.RequestAborted;
            try
            {
                const int chunk = 256 * 1024;
                for (var offset = 0; offset < frames.Length; offset += chunk)
                {
                    await context.Response.BodyWriter.WriteAsync(frames.AsMemory(offset, Math.Min(chunk, frames.Length - offset)), aborted);
                }

                await context.Response.BodyWriter.FlushAsync(aborted);
                // follow: the stream stays open until the client goes away
                await Task.Delay(Timeout.Infinite, aborted);
            }
            catch (OperationCanceledException)
            {
                // the client cancelled
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"listening {new Uri(address).Port}");
        Console.Out.Flush();
        await Console.In.ReadToEndAsync();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(stopping.Token);
        return 0;
    }
}

/// <summary>The parent's handle on a <see cref="FrameRelay"/> child process.</summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RelayProcess(Process process, int port)
    {
        _process = process;
        Address = $"127.0.0.1:{port}";
    }

    public string Address { get; }

    /// <summary>CPU time the relay has used so far.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<RelayProcess> StartAsync(string framesPath, CancellationToken cancellationToken)
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, FileName = exe };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            start.ArgumentList.Add(typeof(FrameRelay).Assembly.Location);
        }

        start.ArgumentList.Add(FrameRelay.Argument);
        start.ArgumentList.Add(framesPath);
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the relay process");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"the relay process did not start: {line}");
        }

        return new RelayProcess(process, int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
