using System.Net.WebSockets;

namespace Stagecast.Testing;

/// <summary>What the tests' socket clients (the JSON channel's, RealtimeKit's) share: reading a whole message, and closing politely.</summary>
public static class TestWebSockets
{
    /// <summary>
    /// Reads one whole message into <paramref name="buffer"/>: its length and type, or null once the server closed
    /// (the close handshake completed, echoing the server's status).
    /// </summary>
    public static async Task<(int Length, WebSocketMessageType Type)?> ReceiveAsync(ClientWebSocket socket, byte[] buffer)
    {
        int length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
            length += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            return null;
        }

        return (length, result.MessageType);
    }

    /// <summary>Closes the socket (aborting it when the server does not answer within 2 s), waits for its receive loop, disposes it.</summary>
    public static async Task CloseAsync(ClientWebSocket socket, Task receiving)
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                socket.Abort();
            }
        }

        await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        socket.Dispose();
    }
}
