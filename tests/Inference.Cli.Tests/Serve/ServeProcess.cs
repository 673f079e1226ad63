using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inference.Cli.Tests.Foundation;

namespace Inference.Cli.Tests.Serve;

/// <summary>
/// <c>inference serve</c> as a real child process (<c>dotnet inference.dll serve ...</c> from the test's bin
/// directory), so SIGTERM, exit codes and environment variables are the real thing. Dispose kills it if still running.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    /// <summary>Correctness bound, not a speed check: a loaded CI machine may take a while to start .NET and DuckDB.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ServeProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public Uri Url { get; private set; } = null!;
    public string Output { get { lock (_output) { return _output.ToString(); } } }
    public string Error { get { lock (_error) { return _error.ToString(); } } }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();

    /// <summary>Starts the process; with <paramref name="waitUntilListening"/> returns once it prints its address.</summary>
    public static async Task<ServeProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, bool waitUntilListening = true)
    {
        var info = InferenceProcess.StartInfo(["serve", .. args]);

        // the child sees only the INFERENCE_* variables a test gives it, never the test runner's
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("INFERENCE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var serve = new ServeProcess(process);
        process.OutputDataReceived += (_, e) => serve.Append(serve._output, e.Data);
        process.ErrorDataReceived += (_, e) => serve.Append(serve._error, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilListening)
        {
            await serve.WaitForListeningAsync();
        }

        return serve;
    }

    private async Task WaitForListeningAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var m = Listening().Match(Output);
            if (m.Success)
            {
                Url = new Uri(m.Groups[1].Value);
                return;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"serve exited with {_process.ExitCode} before listening: {Error}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("serve did not start listening: " + Error);
    }

    /// <summary>Sends SIGTERM (what Kubernetes and systemd send; Process.Kill would be SIGKILL) and returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        if (kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"serve did not exit: {Error}");
        }

        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="ready"/> until it holds (a generous correctness timeout, never a speed assertion).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> ready, string what, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await ready() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what + (describe is null ? "" : ": " + await describe()));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls /api/status until the ingester of <paramref name="source"/> meets <paramref name="condition"/>; returns it.</summary>
    public static async Task<JsonElement> IngesterAsync(HttpClient http, string source, Func<JsonElement, bool> condition)
    {
        var found = await ServeProcess.EventuallyAsync<JsonElement?>(async () =>
        {
            using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
            var ingester = status.RootElement.GetProperty("ingesters").EnumerateArray().Single(i => i.GetProperty("source").GetString() == source);
            return condition(ingester) ? ingester.Clone() : null;
        }, $"the ingester of {source}", () => http.GetStringAsync("/api/status"));
        return found!.Value;
    }

    /// <summary>/api/status and what the service logged: the story of a wait that timed out.</summary>
    public async Task<string> DescribeAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        string status;
        try
        {
            status = await http.GetStringAsync("/api/status");
        }
        catch (HttpRequestException ex)
        {
            status = ex.Message;
        }

        return $"status {status}\nstderr {Error}";
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // it was never started or already reaped
        }

        _process.Dispose();
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
