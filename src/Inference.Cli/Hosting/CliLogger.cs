using Microsoft.Extensions.Logging;

namespace Inference.Cli.Hosting;

/// <summary>Diagnostics to the command's error writer (stderr), one line each, never to stdout where data goes.</summary>
internal sealed class CliLoggerProvider(TextWriter error, LogLevel minimum) : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly TextWriter _error = error;
    private readonly LogLevel _minimum = minimum;

    public ILogger CreateLogger(string categoryName) => new CliLogger(this);

    public void Dispose()
    {
    }

    public static ILoggerFactory CreateFactory(TextWriter error, LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(minimum).AddProvider(new CliLoggerProvider(error, minimum)));

    private sealed class CliLogger(CliLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Warning => "warning: ",
                LogLevel.Error or LogLevel.Critical => "error: ",
                _ => "",
            };
            lock (provider._gate)
            {
                provider._error.WriteLine(level + formatter(state, exception));
            }
        }
    }
}
