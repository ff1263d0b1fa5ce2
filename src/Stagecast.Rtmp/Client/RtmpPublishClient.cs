using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Handshake;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;

namespace Stagecast.Rtmp.Client;

/// <summary>
/// Publishes one stream to an RTMP(S) server, the way OBS does: handshake, connect, releaseStream, FCPublish,
/// createStream, publish, then metadata and media. Server errors (onStatus, _error) surface as
/// <see cref="RtmpStatusException"/>; a closed connection ends <see cref="Completion"/>.
/// </summary>
public sealed partial class RtmpPublishClient : IAsyncDisposable
{
    private const int OutChunkSize = 4096;

    /// <summary>
    /// Socket send buffer for publishing out. Bounded on purpose: with kernel autotuning a slow destination can
    /// absorb many seconds of media unseen; a modest buffer turns slowness into backpressure the caller can act on.
    /// </summary>
    public const int SendBufferSize = 256 * 1024;

    private readonly IDuplexPipe _transport;
    private readonly IAsyncDisposable? _connection;
    private readonly ChunkReader _reader = new();
    private readonly ChunkWriter _writer = new();
    private readonly MessageWriter _messages;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<double, TaskCompletionSource<ResultCommand>> _pending = [];
    private readonly TaskCompletionSource<OnStatusCommand> _publishStatus = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private double _nextTransactionId = 1;
    private uint _streamId;
    private string? _streamKey;
    private Task _readLoop = Task.CompletedTask;
    private long _bytesSent;

    public RtmpPublishClient(IDuplexPipe transport, IAsyncDisposable? connection = null)
    {
        _transport = transport;
        _connection = connection;
        _messages = new MessageWriter(_writer);
    }

    /// <summary>Completes when the connection ends; faults with the reason when the server refused or broke it.</summary>
    public Task Completion => _readLoop;

    /// <summary>Bytes written to the server so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Opens a TCP (rtmp://) or TLS (rtmps://) connection to the server of <paramref name="url"/>.</summary>
    public static Task<RtmpPublishClient> ConnectAsync(Uri url, CancellationToken cancellationToken) => ConnectAsync(url, null, cancellationToken);

    /// <summary>
    /// Opens a connection; for rtmps:// the server certificate is checked by the system's trust store, or by
    /// <paramref name="certificateValidation"/> when given (a private destination with its own certificate).
    /// </summary>
    public static Task<RtmpPublishClient> ConnectAsync(Uri url, RemoteCertificateValidationCallback? certificateValidation, CancellationToken cancellationToken) =>
        ConnectAsync(url, null, certificateValidation, cancellationToken);

    /// <summary>
    /// Opens a connection to one of <paramref name="addresses"/> (the URL's host resolved and vetted by the caller;
    /// null: resolve the host here); TLS still checks the certificate against the URL's host.
    /// </summary>
    public static async Task<RtmpPublishClient> ConnectAsync(
        Uri url, IPAddress[]? addresses, RemoteCertificateValidationCallback? certificateValidation, CancellationToken cancellationToken)
    {
        bool tls = url.Scheme.Equals("rtmps", StringComparison.OrdinalIgnoreCase);
        if (!tls && !url.Scheme.Equals("rtmp", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"unsupported scheme '{url.Scheme}': use rtmp:// or rtmps://", nameof(url));
        }

        int port = PortOf(url);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = SendBufferSize };
        try
        {
            if (addresses is null)
            {
                await socket.ConnectAsync(url.Host, port, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(addresses, port, cancellationToken).ConfigureAwait(false);
            }

            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = url.Host, RemoteCertificateValidationCallback = certificateValidation },
                    cancellationToken).ConfigureAwait(false);
                stream = ssl;
            }

            var pipe = new StreamDuplexPipe(stream);
            return new RtmpPublishClient(pipe, pipe);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The TCP port of an rtmp:// (default 1935) or rtmps:// (default 443) URL.</summary>
    public static int PortOf(Uri url) =>
        url.IsDefaultPort || url.Port <= 0 ? (url.Scheme.Equals("rtmps", StringComparison.OrdinalIgnoreCase) ? 443 : 1935) : url.Port;

    /// <summary>
    /// Runs the handshake and the publish sequence for <paramref name="streamKey"/> on application
    /// <paramref name="app"/>; returns once the server answered NetStream.Publish.Start.
    /// </summary>
    public async Task PublishAsync(string tcUrl, string app, string streamKey, CancellationToken cancellationToken)
    {
        await HandshakeAsync(cancellationToken).ConfigureAwait(false);
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);

        _streamKey = streamKey;
        var connect = SendCommandAsync(id => new ConnectCommand(id, app, tcUrl, "FMLE/3.0 (compatible; Stagecast)", 0));
        await WriteAsync(output =>
        {
            _messages.Write(output, new SetChunkSize(OutChunkSize));
            _writer.ChunkSize = OutChunkSize;
        }, cancellationToken).ConfigureAwait(false);
        await WaitAsync(connect, cancellationToken).ConfigureAwait(false);

        _ = SendCommandAsync(id => new ReleaseStreamCommand(id, streamKey));
        _ = SendCommandAsync(id => new FCPublishCommand(id, streamKey));
        var created = await WaitAsync(SendCommandAsync(id => new CreateStreamCommand(id)), cancellationToken).ConfigureAwait(false);
        _streamId = (uint)(created.StreamId ?? throw new RtmpProtocolException("createStream returned no stream id"));

        await WriteAsync(output => _messages.Write(output, new PublishCommand(0, streamKey, "live"), _streamId), cancellationToken).ConfigureAwait(false);
        await WaitAsync(_publishStatus.Task, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an FLV tag made by <see cref="Egress.FlvEgress"/> as the message of its kind.</summary>
    public ValueTask SendAsync(uint timestamp, Egress.FlvEgressTag tag, CancellationToken cancellationToken) => tag.Type switch
    {
        Media.Flv.FlvTagType.Video => SendVideoAsync(timestamp, tag.Header, tag.Payload, cancellationToken),
        Media.Flv.FlvTagType.Audio => SendAudioAsync(timestamp, tag.Header, tag.Payload, cancellationToken),
        _ => SendMetadataAsync(tag.Metadata!, cancellationToken),
    };

    /// <summary>Sends @setDataFrame onMetaData.</summary>
    public ValueTask SendMetadataAsync(AmfObject metadata, CancellationToken cancellationToken) =>
        WriteAsync(output => _messages.Write(output, new SetDataFrame(metadata), _streamId), cancellationToken);

    /// <summary>Sends an FLV video tag body (header byte(s) included) at a timestamp in milliseconds.</summary>
    public ValueTask SendVideoAsync(uint timestamp, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendMediaAsync(ChunkStreams.Video, RtmpMessageType.Video, timestamp, body, cancellationToken);

    /// <summary>Sends an FLV audio tag body at a timestamp in milliseconds.</summary>
    public ValueTask SendAudioAsync(uint timestamp, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendMediaAsync(ChunkStreams.Audio, RtmpMessageType.Audio, timestamp, body, cancellationToken);

    /// <summary>Sends FCUnpublish and deleteStream, then closes.</summary>
    public async Task UnpublishAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(output =>
        {
            _messages.Write(output, new FCUnpublishCommand(NextTransactionId(), _streamKey));
            _messages.Write(output, new DeleteStreamCommand(NextTransactionId(), _streamId));
        }, cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync().ConfigureAwait(false);
        await _transport.Output.CompleteAsync().ConfigureAwait(false);
        await _transport.Input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reported through Completion.
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _reader.Dispose();
    }

    /// <summary>Sends a video message made of an FLV tag header and a payload, without joining them.</summary>
    public ValueTask SendVideoAsync(uint timestamp, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendMediaAsync(ChunkStreams.Video, RtmpMessageType.Video, timestamp, header, payload, cancellationToken);

    /// <summary>Sends an audio message made of an FLV tag header and a payload, without joining them.</summary>
    public ValueTask SendAudioAsync(uint timestamp, ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendMediaAsync(ChunkStreams.Audio, RtmpMessageType.Audio, timestamp, header, payload, cancellationToken);

    private ValueTask SendMediaAsync(int chunkStreamId, RtmpMessageType type, uint timestamp, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendMediaAsync(chunkStreamId, type, timestamp, body, default, cancellationToken);

    private ValueTask SendMediaAsync(int chunkStreamId, RtmpMessageType type, uint timestamp, ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> tail, CancellationToken cancellationToken) =>
        WriteAsync(output => _writer.Write(output, chunkStreamId, timestamp, type, _streamId, head.Span, tail.Span), cancellationToken);

    private async ValueTask HandshakeAsync(CancellationToken cancellationToken)
    {
        ClientHandshake.WriteHello(_transport.Output);
        await _transport.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var result = await _transport.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool done = ClientHandshake.TryComplete(ref buffer, _transport.Output);
            _transport.Input.AdvanceTo(buffer.Start, buffer.End);
            if (done)
            {
                await _transport.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            if (result.IsCompleted)
            {
                throw new RtmpProtocolException("server closed the connection during the handshake");
            }
        }
    }

    /// <summary>Sends the command <paramref name="create"/> makes with the next transaction id; completes with its _result.</summary>
    private Task<ResultCommand> SendCommandAsync(Func<double, RtmpCommand> create)
    {
        var completion = new TaskCompletionSource<ResultCommand>(TaskCreationOptions.RunContinuationsAsynchronously);
        RtmpCommand command;
        lock (_pending)
        {
            command = create(NextTransactionId());
            _pending[command.TransactionId] = completion;
        }

        _ = WriteAsync(output => _messages.Write(output, command), _closed.Token)
            .AsTask()
            .ContinueWith(t => completion.TrySetException(t.Exception!.InnerExceptions), TaskContinuationOptions.OnlyOnFaulted);
        return completion.Task;
    }

    private double NextTransactionId() => _nextTransactionId++;

    private async ValueTask WriteAsync(Action<PipeWriter> write, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var output = _transport.Output;
            long before = output.UnflushedBytes;
            write(output);
            Interlocked.Add(ref _bytesSent, output.UnflushedBytes - before);
            var result = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new IOException("the server closed the connection");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken)
    {
        await Task.WhenAny(task, _readLoop).WaitAsync(cancellationToken).ConfigureAwait(false);

        // The command's own outcome (e.g. an _error) wins over the connection closing right after it.
        if (task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        await _readLoop.ConfigureAwait(false); // rethrows the reason the connection ended
        throw new IOException("the server closed the connection");
    }
}
