using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stagecast.Testing;

/// <summary>A webhook request as it arrived: headers, body, and whether its <c>rtk-signature</c> verified under the published key.</summary>
public sealed record ReceivedWebhook(string Uuid, string WebhookId, byte[] Body, bool SignatureValid, DateTime ReceivedAt, string Signature = "")
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Event => Json.GetProperty("event").GetString()!;
}

/// <summary>
/// A real HTTP receiver for Stagecast's webhooks on a loopback port: it records every request, verifies every
/// signature with the server's published public key, and answers as a test tells it (accept, refuse, hang). It can
/// be stopped and started again on the same port, as a receiver that is down for a while.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly RSA _publicKey = RSA.Create();
    private WebApplication? _app;

    private WebhookReceiver(int port, string publicKeyPem)
    {
        Port = port;
        _publicKey.ImportFromPem(publicKeyPem);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>What to answer; by default 200. A response of 0 means: never answer (hang).</summary>
    public Func<ReceivedWebhook, (int Status, string? RetryAfter)> Respond { get; set; } = _ => (200, null);

    /// <summary>While set, each answer waits for this task: a receiver that has the request and has not answered yet.</summary>
    public Task? Hold { get; set; }

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>
    /// Starts a receiver that trusts the key Stagecast publishes at /.well-known/webhooks.json (fetched with
    /// <paramref name="client"/> when given: one that trusts a server's test certificate).
    /// </summary>
    public static async Task<WebhookReceiver> StartAsync(string stagecastHttpBase, int? port = null, HttpClient? client = null)
    {
        using var own = client is null ? new HttpClient() : null;
        using var key = JsonDocument.Parse(await (client ?? own!).GetStringAsync($"{stagecastHttpBase}/.well-known/webhooks.json"));
        string pem = key.RootElement.GetProperty("data").GetProperty("publicKey").GetString()!;
        var receiver = new WebhookReceiver(port ?? FreePorts.Next(), pem);
        await receiver.StartAsync();
        return receiver;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            byte[] bytes = body.ToArray();
            string signature = context.Request.Headers["rtk-signature"].ToString();
            bool valid;
            try
            {
                valid = _publicKey.VerifyData(bytes, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            catch (FormatException)
            {
                valid = false;
            }

            var received = new ReceivedWebhook(
                context.Request.Headers["rtk-uuid"].ToString(), context.Request.Headers["rtk-webhook-id"].ToString(), bytes, valid, DateTime.UtcNow, signature);
            _received.Enqueue(received);
            if (Hold is { } hold)
            {
                await hold;
            }

            var (status, retryAfter) = Respond(received);
            if (status == 0)
            {
                // Hangs until the sender gives up (its timeout) and aborts the request.
                var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await using (context.RequestAborted.Register(() => aborted.TrySetResult()))
                {
                    await aborted.Task;
                }

                return;
            }

            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        _app = app;
    }

    /// <summary>Stops listening: connections are refused until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until the requests received satisfy a condition.</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => Received, condition, "the receiver to get what was expected", timeout,
            received => string.Join("\n", received.Select(r => System.Text.Encoding.UTF8.GetString(r.Body))));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _publicKey.Dispose();
    }
}
