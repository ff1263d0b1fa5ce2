using Microsoft.Extensions.Logging;

namespace Stagecast.Testing;

/// <summary>A logger provider that keeps every line written, for tests about what the log says (and how much).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly List<(string Category, LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (logs._lines)
            {
                logs._lines.Add((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
