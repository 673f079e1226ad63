using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Inference.Testing;

/// <summary>An <see cref="ILogger"/> that keeps every formatted message, for asserting what a run logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Messages(LogLevel atLeast = LogLevel.Trace) => _entries.Where(e => e.Level >= atLeast).Select(e => e.Message);

    public string Text => string.Join(Environment.NewLine, _entries.Select(e => $"{e.Level}: {e.Message}"));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));
    }
}
