using Microsoft.Extensions.Options;
using Stagecast.Streaming;
using Stagecast.Transport.Epoll;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Gives memory back when the server comes to rest: once listening, and again each time it has been quiet for
/// <see cref="ServerOptions.RestAfter"/> (no request but the metrics listener's, no live stream, no meeting with
/// participants: what <see cref="IShutdownReport"/> says is in progress). Giving back is one compacting collection,
/// which returns the pages of what the last requests allocated and dropped, and, with
/// <see cref="ServerOptions.GiveBackFilePages"/>, letting go of the pages of the files it maps (its own, .NET's, the
/// system's libraries) that the work touched (<see cref="FilePages"/>; they stay in the page cache and come back on
/// the next touch as minor faults).
/// It looks every half <see cref="ServerOptions.RestAfter"/> on a <see cref="DemandTimer"/> that runs only from a
/// request to the next rest, so a rest comes 1 to 1.5 times that after the last request, and nothing ticks in an idle
/// server.
/// </summary>
public sealed partial class RestKeeper : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ServerOptions _options;
    private readonly IEnumerable<IShutdownReport> _work;
    private readonly ILogger<RestKeeper> _logger;
    private readonly DemandTimer? _timer;
    private long _touchedAt;
    private long _restedAt;

    public RestKeeper(TimeProvider time, IOptions<ServerOptions> options, IEnumerable<IShutdownReport> work, ILogger<RestKeeper> logger)
    {
        (_time, _options, _work, _logger) = (time, options.Value, work, logger);
        _timer = _options.RestAfter > TimeSpan.Zero ? new DemandTimer(time, _options.RestAfter / 2, Look, () => Volatile.Read(ref _touchedAt) > Volatile.Read(ref _restedAt)) : null;
    }

    /// <summary>How many times it gave memory back at rest (not counting the start's).</summary>
    public int Rests { get; private set; }

    /// <summary>
    /// Something happened (a request): the server looks for rest <see cref="ServerOptions.RestAfter"/> after the last
    /// such. The time is written at most once a second, so requests on several cores do not take turns owning its
    /// cache line (a rest a second early is no matter; the first request after a rest is always written).
    /// </summary>
    public void Touch()
    {
        long now = _time.GetTimestamp();
        long last = Volatile.Read(ref _touchedAt);
        if (now - last >= _time.TimestampFrequency || last == Volatile.Read(ref _restedAt))
        {
            Volatile.Write(ref _touchedAt, now);
        }

        if (_timer is { IsRunning: false })
        {
            _timer.Start();
        }
    }

    /// <summary>One compacting collection and, unless turned off, the server's file pages let go.</summary>
    public void GiveBack()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (_options.GiveBackFilePages)
        {
            FilePages.Release(MappedFileDirectories());
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Look()
    {
        long touchedAt = Volatile.Read(ref _touchedAt);
        if (_time.GetElapsedTime(touchedAt) < _options.RestAfter)
        {
            return;
        }

        if (_work.Select(w => w.InProgress()).OfType<string>().FirstOrDefault() is { } work)
        {
            Log.NotAtRest(_logger, work);
            return;
        }

        long before = _logger.IsEnabled(LogLevel.Debug) ? Environment.WorkingSet : 0;
        GiveBack();
        Rests++;
        Volatile.Write(ref _restedAt, touchedAt); // at rest until the next request is written
        if (before > 0)
        {
            Log.AtRest(_logger, before >> 20, Environment.WorkingSet >> 20);
        }
    }

    /// <summary>
    /// The directories of the files the server maps: the binary's (the release binary, or the JIT build's assemblies),
    /// for the JIT build .NET's own (the shared frameworks' assemblies, the runtime, the host), and the system's
    /// libraries (the C library, and OpenSSL, which a livestream's key or an RTMP handshake maps and then seldom needs).
    /// </summary>
    internal static string[] MappedFileDirectories()
    {
        const string Frameworks = "/shared/Microsoft.NETCore.App/";
        string[] system = ["/usr/lib/", "/lib/", "/usr/lib64/", "/lib64/", "/usr/local/lib/"];
        string runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        int shared = runtime.IndexOf(Frameworks, StringComparison.Ordinal); // absent in the release binary: no framework files
        return shared > 0 ? [AppContext.BaseDirectory, runtime[..(shared + 1)], .. system] : [AppContext.BaseDirectory, .. system];
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "At rest: memory given back, resident {Before} MiB → {After} MiB")]
        public static partial void AtRest(ILogger logger, long before, long after);

        [LoggerMessage(2, LogLevel.Trace, "Not at rest: {Work} in progress")]
        public static partial void NotAtRest(ILogger logger, string work);
    }
}

/// <summary>Every request but the metrics listener's touches the <see cref="RestKeeper"/>.</summary>
public static class RestKeeperRequests
{
    /// <summary>Put right after the metrics listener: a scrape does not keep the server from its rest.</summary>
    public static IApplicationBuilder UseRestKeeper(this WebApplication app)
    {
        var rest = app.Services.GetRequiredService<RestKeeper>();
        return app.Use((context, next) =>
        {
            rest.Touch();
            return next(context);
        });
    }
}
