using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Stagecast.Bench;

/// <summary>
/// A participant on the realtime channel as the load tool plays it: joined with its token, it sends requests and
/// awaits their answers, and hands the channel's events to <see cref="Events"/> when set. Every message is read (a
/// socket left unread is dropped as slow), but parsed only when an answer is awaited or events are wanted.
/// </summary>
internal sealed class ChannelClient : IDisposable
{
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sending = new(1, 1);
    private byte[] _buffer = new byte[64 * 1024];
    private int _nextId;

    private ChannelClient(ClientWebSocket socket) => _socket = socket;

    public string PeerId { get; private set; } = "";

    /// <summary>Sees each event (a message that answers no request) while set; on the socket's reading loop.</summary>
    public Action<JsonElement>? Events { get; set; }

    /// <summary>Connects with a participant token and joins the meeting.</summary>
    public static async Task<ChannelClient> JoinAsync(StagecastServer server, string token)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.HttpPort}/realtime/v1?token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        var client = new ChannelClient(socket);
        _ = client.ReadAsync();
        client.PeerId = (await client.RequestAsync("join")).GetProperty("peer_id").GetString()!;
        return client;
    }

    /// <summary>Sends a request (<paramref name="fields"/> beside its type and id) and returns its answer's data; throws on an error answer.</summary>
    public async Task<JsonElement> RequestAsync(string type, object? fields = null)
    {
        string id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = JsonSerializer.SerializeToNode(fields ?? new { })!.AsObject();
        message["type"] = type;
        message["id"] = id;
        byte[] bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sending.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }

        var reply = await answer.Task.WaitAsync(AnswerWait);
        return reply.GetProperty("type").GetString() == "ok"
            ? reply.GetProperty("data")
            : throw new InvalidOperationException($"{type}: {reply}");
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sending.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            while (await NextAsync() is int length)
            {
                if (_pending.IsEmpty && Events is null)
                {
                    continue;
                }

                using var message = JsonDocument.Parse(_buffer.AsMemory(0, length));
                var root = message.RootElement;
                if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && _pending.TryRemove(id.GetString()!, out var answer))
                {
                    answer.TrySetResult(root.Clone());
                }
                else
                {
                    Events?.Invoke(root);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads the next message whole, however many reads it takes (a join answer lists every peer): its length; null once closed.</summary>
    private async Task<int?> NextAsync()
    {
        int length = 0;
        while (_socket.State == WebSocketState.Open)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            if (result.EndOfMessage)
            {
                return length;
            }
        }

        return null;
    }
}
