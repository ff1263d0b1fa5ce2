using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>
/// An "S3 endpoint" on a loopback port that misbehaves as a hostile tester's would: it answers every request with a
/// redirect elsewhere (after reading the body, so the client sees the answer and not a reset), or accepts it and
/// never answers.
/// </summary>
public sealed class HostileStorage : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _abandoned;

    private HostileStorage(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Stalled requests their client gave up on (closed the connection).</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Answers every request 307 to <paramref name="location"/>.</summary>
    public static Task<HostileStorage> RedirectingAsync(string location) => StartAsync(async (storage, context) =>
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = location;
    });

    /// <summary>Accepts every request and never answers, until the client gives up.</summary>
    public static Task<HostileStorage> StallingAsync() => StartAsync(async (storage, context) =>
    {
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (context.RequestAborted.Register(() => abandoned.TrySetResult()))
        {
            await abandoned.Task;
        }

        Interlocked.Increment(ref storage._abandoned);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<HostileStorage> StartAsync(Func<HostileStorage, HttpContext, Task> answer)
    {
        int port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var storage = new HostileStorage(app, port);
        app.Run(context =>
        {
            Interlocked.Increment(ref storage._requests);
            return answer(storage, context);
        });
        await app.StartAsync();
        return storage;
    }
}
