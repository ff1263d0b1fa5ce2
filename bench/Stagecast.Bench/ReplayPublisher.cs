using System.Buffers;
using System.Net.Sockets;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Handshake;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;

namespace Stagecast.Bench;

/// <summary>
/// One RTMP publisher replaying a <see cref="ChunkedClip"/> at real-time pace. Setup (handshake, connect,
/// createStream, publish) is done once; after that the driver hands it byte ranges as their time comes.
/// </summary>
public sealed class ReplayPublisher : IAsyncDisposable
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private NetworkStream? _stream;
    private Task _drain = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;

    public ReplayPublisher(string key, ChunkedClip clip, bool logSends)
    {
        Key = key;
        Clip = clip;
        SendLog = logSends ? new Dictionary<int, long[]>() : null;
    }

    public string Key { get; }

    public ChunkedClip Clip { get; }

    /// <summary>Stopwatch ticks when publishing started (before connecting).</summary>
    public long StartedAt { get; private set; }

    /// <summary>Milliseconds from connecting to the server's NetStream.Publish.Start.</summary>
    public double PublishAcceptedMs { get; private set; }

    /// <summary>When each tag was handed to the socket, per loop (only for observed publishers).</summary>
    public Dictionary<int, long[]>? SendLog { get; }

    public int LoopIndex { get; private set; }

    public int NextTag { get; private set; }

    public int SentBytesInLoop { get; private set; }

    public bool Failed { get; private set; }

    public string? Error { get; private set; }

    /// <summary>How far behind real time this publisher has been at worst, in milliseconds.</summary>
    public long MaxLagMs { get; set; }

    public long BytesSent { get; private set; }

    public bool IsSending => !_sending.IsCompleted;

    /// <summary>Connects and publishes; on failure the publisher is marked <see cref="Failed"/> with the reason, and the error is thrown.</summary>
    public async Task ConnectAsync(string host, int port, string app, CancellationToken cancellationToken)
    {
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await PublishAsync(host, port, app, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            Failed = true;
            Error ??= ex is OperationCanceledException ? "not publishing before the connect timeout" : ex.Message;
            throw;
        }

        PublishAcceptedMs = System.Diagnostics.Stopwatch.GetElapsedTime(StartedAt).TotalMilliseconds;
        _drain = DrainAsync();
    }

    private async Task PublishAsync(string host, int port, string app, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(host, port, cancellationToken);
        _stream = new NetworkStream(_socket, ownsSocket: false);

        var hello = new ArrayBufferWriter<byte>();
        ClientHandshake.WriteHello(hello);
        await _stream.WriteAsync(hello.WrittenMemory, cancellationToken);
        var serverHello = new byte[3073];
        await _stream.ReadExactlyAsync(serverHello, cancellationToken);
        var reply = new ArrayBufferWriter<byte>();
        var sequence = new ReadOnlySequence<byte>(serverHello);
        ClientHandshake.TryComplete(ref sequence, reply);

        var writer = new ChunkWriter();
        var messages = new MessageWriter(writer);
        messages.Write(reply, new ConnectCommand(1, app, $"rtmp://{host}:{port}/{app}", "FMLE/3.0 (compatible; bench)", 0));
        messages.Write(reply, new SetChunkSize(ChunkedClip.ChunkSize));
        writer.ChunkSize = ChunkedClip.ChunkSize;
        messages.Write(reply, new ReleaseStreamCommand(2, Key));
        messages.Write(reply, new FCPublishCommand(3, Key));
        messages.Write(reply, new CreateStreamCommand(4));
        messages.Write(reply, new PublishCommand(5, Key, "live"), ChunkedClip.MessageStreamId);
        await _stream.WriteAsync(reply.WrittenMemory, cancellationToken);
        await WaitForPublishStartAsync(cancellationToken);
    }

    /// <summary>Starts writing a range of the current loop, unless a write is still in flight.</summary>
    public void Send(ChunkedClip.Loop loop, int endTag, long now)
    {
        int end = loop.Ends[endTag];
        var range = loop.Bytes.AsMemory(SentBytesInLoop, end - SentBytesInLoop);
        if (SendLog is not null)
        {
            if (!SendLog.TryGetValue(LoopIndex, out var log))
            {
                SendLog[LoopIndex] = log = new long[Clip.TagCount];
            }

            for (int tag = NextTag; tag <= endTag; tag++)
            {
                log[tag] = now;
            }
        }

        BytesSent += range.Length;
        SentBytesInLoop = end;
        NextTag = endTag + 1;
        if (NextTag == Clip.TagCount)
        {
            LoopIndex++;
            NextTag = 0;
            SentBytesInLoop = 0;
        }

        if (range.Length > 0)
        {
            _sending = WriteAsync(range);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // As an encoder stops: FCUnpublish and deleteStream after the last whole message, so the server ends the stream
        // at once. A socket just closed is a lost publisher, whose stream Stagecast holds 30 s for it to come back; the
        // streams of one measurement then lived on into the next one's.
        try
        {
            await _sending;
            if (_stream is not null && !Failed)
            {
                var writer = new ChunkWriter { ChunkSize = ChunkedClip.ChunkSize };
                var messages = new MessageWriter(writer);
                var goodbye = new ArrayBufferWriter<byte>();
                messages.Write(goodbye, new FCUnpublishCommand(6, Key));
                messages.Write(goodbye, new DeleteStreamCommand(7, ChunkedClip.MessageStreamId));
                await _stream.WriteAsync(goodbye.WrittenMemory).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or TimeoutException)
        {
            // the server is gone or not reading: closing is all that is left
        }

        _socket.Dispose();
        try
        {
            await Task.WhenAll(_drain, _sending);
        }
        catch (Exception)
        {
            // closing
        }
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> range)
    {
        try
        {
            await _stream!.WriteAsync(range);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            Failed = true;
            Error ??= ex.Message;
        }
    }

    /// <summary>Reads the server's replies until onStatus NetStream.Publish.Start, failing on an error status.</summary>
    private async Task WaitForPublishStartAsync(CancellationToken cancellationToken)
    {
        var reader = new ChunkReader();
        var pending = new List<byte>();
        var buffer = new byte[16384];
        while (true)
        {
            int read = await _stream!.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"server closed the connection before publishing started ({Key})");
            }

            pending.AddRange(buffer.AsSpan(0, read).ToArray());
            var sequence = new ReadOnlySequence<byte>(pending.ToArray());
            long before = sequence.Length;
            while (reader.TryReadMessage(ref sequence, out var message))
            {
                try
                {
                    switch (RtmpMessages.Read(message))
                    {
                        case SetChunkSize setChunkSize:
                            reader.SetChunkSize(setChunkSize.Size);
                            break;
                        case OnStatusCommand { Info.Code: StatusCodes.PublishStart }:
                            return;
                        case ErrorCommand { Info: var info }:
                            throw new IOException($"publish refused: {info.Code} {info.Description}");
                        case OnStatusCommand { Info: { IsError: true } info }:
                            throw new IOException($"publish refused: {info.Code} {info.Description}");
                    }
                }
                finally
                {
                    message.Return();
                }
            }

            pending.RemoveRange(0, (int)(before - sequence.Length));
        }
    }

    /// <summary>Discards what the server sends (acknowledgements, pings) so its buffers never fill.</summary>
    private async Task DrainAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await _stream!.ReadAsync(buffer) > 0)
            {
            }
        }
        catch (Exception)
        {
            // closed
        }

        Failed = true;
        Error ??= "the server closed the connection";
    }
}
