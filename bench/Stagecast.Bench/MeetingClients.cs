using System.Net.WebSockets;
using System.Text.Json;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>A meeting's participants as the load tool plays them: on the realtime channel, and watching peers over meeting WHEP.</summary>
internal static class MeetingClients
{
    /// <summary>
    /// Joins the realtime channel with a participant token: the socket and the peer id. The channel's messages after
    /// the join go to <paramref name="events"/> when given (each as its JSON), else are read and dropped, so the
    /// socket is not dropped for being slow.
    /// </summary>
    public static async Task<(ClientWebSocket Socket, string PeerId)> JoinAsync(StagecastServer server, string token, Action<JsonElement>? events = null)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.HttpPort}/realtime/v1?token={Uri.EscapeDataString(token)}"), CancellationToken.None);
        await socket.SendAsync("""{"type":"join","id":"1"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var reader = new MessageReader(socket);
        while (await reader.NextAsync())
        {
            using var message = JsonDocument.Parse(reader.Message);
            if (message.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == "1")
            {
                string peerId = message.RootElement.GetProperty("data").GetProperty("peer_id").GetString()!;
                _ = ReadAsync(reader, events);
                return (socket, peerId);
            }
        }

        throw new WebSocketException($"the channel closed before answering the join ({socket.CloseStatusDescription})");
    }

    /// <summary>A subscription to a peer's source, once the source is in the hub (its publisher's DTLS just completed).</summary>
    public static async Task<WhepClient> SubscribeAsync(HttpClient http, string url, string token, DtlsCertificate certificate)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await WhepClient.ConnectAsync(http, url, certificate, bearer: token).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Stagecast.WebRtc.WebRtcProtocolException ex) when (attempt < 20 && ex.Message.Contains("404", StringComparison.Ordinal))
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task ReadAsync(MessageReader reader, Action<JsonElement>? events)
    {
        try
        {
            while (await reader.NextAsync())
            {
                if (events is not null)
                {
                    using var message = JsonDocument.Parse(reader.Message);
                    events(message.RootElement);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The channel's messages one at a time, however many reads each takes (a join answer lists every peer).</summary>
    private sealed class MessageReader(ClientWebSocket socket)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _length;

        /// <summary>The message <see cref="NextAsync"/> read, until the next call.</summary>
        public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

        /// <summary>Reads the next message whole; false once the socket closed.</summary>
        public async Task<bool> NextAsync()
        {
            _length = 0;
            while (socket.State == WebSocketState.Open)
            {
                if (_length == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var result = await socket.ReceiveAsync(_buffer.AsMemory(_length), CancellationToken.None);
                _length += result.Count;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                if (result.EndOfMessage)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
