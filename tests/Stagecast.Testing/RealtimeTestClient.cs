using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>
/// A participant on Stagecast's realtime channel over a real <see cref="ClientWebSocket"/>: sends requests, keeps
/// every message received, and waits for the ones a test expects.
/// </summary>
public sealed class RealtimeTestClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket = new();
    private readonly List<JsonElement> _seen = [];
    private readonly List<bool> _taken = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously); // every waiter wakes at each arrival
    private readonly SemaphoreSlim _sending = new(1, 1); // a WebSocket takes one send at a time; requests may overlap
    private bool _closed;
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    /// <summary>The close status the server ended the socket with, once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>Every message received so far, in order.</summary>
    public IReadOnlyList<JsonElement> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <param name="certificate">For a wss:// server (an https <paramref name="httpBase"/>): the certificate it must present.</param>
    /// <param name="invoker">Connects through it (its handler's connection and certificate rules) instead.</param>
    public static async Task<RealtimeTestClient> ConnectAsync(string httpBase, string token, TestCertificate? certificate = null, HttpMessageInvoker? invoker = null)
    {
        var client = new RealtimeTestClient();
        if (certificate is not null)
        {
            client._socket.Options.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint;
        }

        var uri = new Uri(httpBase.Replace("http://", "ws://", StringComparison.Ordinal).Replace("https://", "wss://", StringComparison.Ordinal)
            + "/realtime/v1?token=" + Uri.EscapeDataString(token));
        await client._socket.ConnectAsync(uri, invoker, CancellationToken.None);
        client._receiving = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>Sends a request and waits for its answer (ok or error).</summary>
    public async Task<JsonElement> RequestAsync(string type, object? body = null)
    {
        string id = Interlocked.Increment(ref _nextId).ToString();
        var message = JsonSerializer.SerializeToElement(body ?? new { });
        var fields = message.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        fields["type"] = type;
        fields["id"] = id;
        await SendRawAsync(JsonSerializer.Serialize(fields));
        return await WaitForAsync(m => m.TryGetProperty("id", out var answer) && answer.ValueKind == JsonValueKind.String && answer.GetString() == id);
    }

    /// <summary>The data of a request's ok answer; throws with the error otherwise.</summary>
    public async Task<JsonElement> OkAsync(string type, object? body = null)
    {
        var answer = await RequestAsync(type, body);
        return answer.GetProperty("type").GetString() == "ok"
            ? answer.GetProperty("data")
            : throw new InvalidOperationException($"{type} failed: {answer}");
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, type, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The first message not yet taken by an earlier wait whose type (and content) matches.</summary>
    public Task<JsonElement> WaitForEventAsync(string type, Func<JsonElement, bool>? match = null, TimeSpan? timeout = null) =>
        WaitForAsync(m => m.GetProperty("type").GetString() == type && (match?.Invoke(m) ?? true), timeout);

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (true)
        {
            bool closed;
            Task arrived;
            lock (_seen)
            {
                arrived = _arrived.Task;
                for (int i = 0; i < _seen.Count; i++)
                {
                    if (!_taken[i] && match(_seen[i]))
                    {
                        _taken[i] = true;
                        return _seen[i];
                    }
                }

                closed = _closed;
            }

            if (closed)
            {
                throw new InvalidOperationException($"socket closed ({CloseStatus} {CloseDescription}); seen: {string.Join("\n", Seen)}");
            }

            var left = deadline - DateTime.UtcNow;
            try
            {
                await arrived.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"no such message; seen: {string.Join("\n", Seen)}");
            }
        }
    }

    /// <summary>Waits until the server closes the socket.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(TimeSpan? timeout = null)
    {
        await _receiving.WaitAsync(timeout ?? DefaultWait);
        return CloseStatus;
    }

    /// <summary>Drops the connection without a close handshake, as a crashed client or a lost network does.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync() => await TestWebSockets.CloseAsync(_socket, _receiving);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                if (await TestWebSockets.ReceiveAsync(_socket, buffer) is not { Length: var length })
                {
                    return;
                }

                var message = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                Signal(() =>
                {
                    _seen.Add(message);
                    _taken.Add(false);
                });
            }
        }
        catch (WebSocketException)
        {
            // aborted
        }
        finally
        {
            Signal(() => _closed = true);
        }
    }

    /// <summary>Changes what waiters look at, then wakes them all.</summary>
    private void Signal(Action change)
    {
        TaskCompletionSource woken;
        lock (_seen)
        {
            change();
            woken = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        woken.TrySetResult();
    }
}
