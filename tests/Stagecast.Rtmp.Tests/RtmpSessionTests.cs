using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Amf0;
using Stagecast.Media.Codecs;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Client;
using Stagecast.Rtmp.Handshake;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Control;
using Stagecast.Rtmp.Sessions;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Rtmp.Tests;

/// <summary>Whole RTMP publish sessions over in-memory pipes: the server session against the publish client.</summary>
public sealed class RtmpSessionTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TestPublishAuthorizer _keys = new TestPublishAuthorizer().Add("secret-key", "stream-1").Add("other-key", "stream-2");
    private readonly StreamHub _hub = TestHub.Create();
    private readonly List<Task> _sessions = [];
    private readonly List<RtmpPublishClient> _clients = [];
    private readonly RtmpSessionWatchdog _watchdog = new(TimeProvider.System);
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task PublishDeliversConfigurationMetadataAndFramesInOrder()
    {
        var (client, _) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        var stream = Assert.Single(_hub.Streams);
        Assert.Equal("stream-1", stream.Id);
        using var reader = stream.AddReader("test");

        await client.SendMetadataAsync(new AmfObject(isEcmaArray: true) { { "width", 1280.0 }, { "height", 720.0 }, { "framerate", 30.0 } }, Cancel());
        await client.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), Cancel());
        await client.SendAudioAsync(0, FlvBodies.AacSequenceHeader(GoldenVectors.AacLc48kStereo), Cancel());
        await client.SendVideoAsync(0, FlvBodies.AvcFrame(true, 66, FlvBodies.Nal(5000)), Cancel());
        await client.SendAudioAsync(21, FlvBodies.AacFrame([1, 2, 3]), Cancel());
        await client.SendVideoAsync(33, FlvBodies.AvcFrame(false, 0, FlvBodies.Nal(10)), Cancel());

        var metadata = await NextAsync(reader, MediaFrameKind.Metadata);
        Assert.Equal((1280, 720, 30.0), (((StreamMetadata)metadata.Detail!).Width, ((StreamMetadata)metadata.Detail!).Height, ((StreamMetadata)metadata.Detail!).FrameRate));
        var video = (VideoTrackConfig)(await NextAsync(reader, MediaFrameKind.VideoConfig)).Detail!;
        Assert.Equal("avc1.64001f", video.CodecString);
        var audio = (AudioTrackConfig)(await NextAsync(reader, MediaFrameKind.AudioConfig)).Detail!;
        Assert.Equal(48000, audio.SampleRate);

        var keyframe = await NextAsync(reader, MediaFrameKind.Video);
        Assert.Equal((0L, 66, true, 5004), (keyframe.Timestamp, keyframe.CompositionOffset, keyframe.IsKeyframe, keyframe.Length));
        Assert.Equal(FlvBodies.Nal(5000), keyframe.Span.ToArray());
        var sound = await NextAsync(reader, MediaFrameKind.Audio);
        Assert.Equal(21L, sound.Timestamp);
        Assert.Equal([1, 2, 3], sound.Span.ToArray());
        var delta = await NextAsync(reader, MediaFrameKind.Video);
        Assert.Equal((33L, false), (delta.Timestamp, delta.IsKeyframe));
        foreach (var frame in new[] { metadata, keyframe, sound, delta })
        {
            frame.Release();
        }
    }

    /// <summary>
    /// An encoder's metadata names its tracks (videocodecid, audiocodecid; a legacy id or a FourCC): the publisher
    /// declares them, and the hub holds pictures sent before the audio's sequence header until it comes.
    /// </summary>
    [Fact]
    public async Task MetadataDeclaresTheTracksAndPicturesWaitForTheAudiosSequenceHeader()
    {
        var (client, _) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        var stream = Assert.Single(_hub.Streams);
        using var reader = stream.AddReader("test");

        await client.SendMetadataAsync(new AmfObject(isEcmaArray: true) { { "videocodecid", 7.0 }, { "audiocodecid", "mp4a" } }, Cancel());
        await client.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), Cancel());
        await client.SendVideoAsync(0, FlvBodies.AvcFrame(true, 0, FlvBodies.Nal(100)), Cancel());
        await client.SendVideoAsync(33, FlvBodies.AvcFrame(false, 0, FlvBodies.Nal(10)), Cancel());
        await Eventually.TrueAsync(() => stream.FramesIn == 2, "both pictures in the hub");
        Assert.Equal(StreamTracks.Video | StreamTracks.Audio, stream.DeclaredTracks);
        Assert.False(reader.TryRead(out _));

        await client.SendAudioAsync(40, FlvBodies.AacSequenceHeader(GoldenVectors.AacLc48kStereo), Cancel());
        await Eventually.TrueAsync(() => stream.TracksKnown, "the stream's tracks known"); // known once the readers have what was held
        var kinds = new List<MediaFrameKind>();
        while (reader.TryRead(out var frame))
        {
            kinds.Add(frame.Kind);
            frame.Release();
        }

        Assert.Equal([MediaFrameKind.VideoConfig, MediaFrameKind.AudioConfig, MediaFrameKind.Metadata, MediaFrameKind.Video, MediaFrameKind.Video], kinds);
    }

    [Fact]
    public async Task EnhancedRtmpHevcIsAccepted()
    {
        var (client, _) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        using var reader = Assert.Single(_hub.Streams).AddReader("test");
        byte[] record = Media.Codecs.H265.HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps);
        await client.SendVideoAsync(0, FlvBodies.HevcSequenceStart(record), Cancel());
        await client.SendVideoAsync(0, FlvBodies.HevcFrame(true, 33, FlvBodies.Nal(100)), Cancel());

        var config = (VideoTrackConfig)(await NextAsync(reader, MediaFrameKind.VideoConfig)).Detail!;
        Assert.Equal((VideoCodec.H265, 640, 360), (config.Codec, config.Width, config.Height));
        var frame = await NextAsync(reader, MediaFrameKind.Video);
        Assert.Equal((33, 104), (frame.CompositionOffset, frame.Length));
        frame.Release();
    }

    [Fact]
    public async Task OneWatchdogClosesSessionsPastTheSetupDeadlineOrTheIdleTimeout()
    {
        var time = new FakeTimeProvider();
        using var watchdog = new RtmpSessionWatchdog(time);
        var options = new RtmpServerOptions { SetupDeadline = TimeSpan.FromSeconds(5), IdleTimeout = TimeSpan.FromSeconds(30) };
        var silent = StartSession(new PipePair().Server, options, time, watchdog);
        var pipes = new PipePair();
        var publishing = StartSession(pipes.Server, options, time, watchdog);
        var client = new RtmpPublishClient(pipes.Client);
        _clients.Add(client);
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        await Eventually.TrueAsync(() => watchdog.Count == 2, "both sessions watched"); // the silent one starts on the thread pool

        time.Advance(TimeSpan.FromSeconds(6)); // one check: past the setup deadline, well inside the idle timeout
        await silent.WaitAsync(Timeout);
        Assert.False(publishing.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(30)); // nothing received from the publisher for 36 s
        await publishing.WaitAsync(Timeout);
        Assert.Equal(0, watchdog.Count);
    }

    [Fact]
    public async Task UnknownKeyGetsBadNameAndTheConnectionCloses()
    {
        var (client, session) = await ConnectAsync();
        var error = await Assert.ThrowsAsync<RtmpStatusException>(() => client.PublishAsync("rtmp://test/live", "live", "wrong-key", Cancel()));
        Assert.Equal(StatusCodes.PublishBadName, error.Code);
        await session.WaitAsync(Timeout);
        Assert.Empty(_hub.Streams);
    }

    [Fact]
    public async Task UnknownAppIsRejected()
    {
        var (client, session) = await ConnectAsync();
        var error = await Assert.ThrowsAsync<RtmpStatusException>(() => client.PublishAsync("rtmp://test/other", "other", "secret-key", Cancel()));
        Assert.Equal(StatusCodes.ConnectRejected, error.Code);
        await session.WaitAsync(Timeout);
    }

    [Fact]
    public async Task AnUnknownAppWithEscapeSequencesIsLoggedAndAnsweredEscaped()
    {
        var (client, session) = await ConnectAsync();
        var error = await Assert.ThrowsAsync<RtmpStatusException>(() => client.PublishAsync("rtmp://test/x", "\u001b[2J\u001b[31mtv", "secret-key", Cancel()));
        Assert.Contains(@"unknown application '\x1B[2J\x1B[31mtv'", error.Description, StringComparison.Ordinal);
        await session.WaitAsync(Timeout);
        Assert.Contains(_logs.Lines, l => l.Message.Contains(@"connect refused: unknown application '\x1B[2J\x1B[31mtv'", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Message.Any(char.IsControl));
    }

    [Fact]
    public async Task SecondPublisherOnALiveKeyIsRefusedWhileTheFirstKeepsGoing()
    {
        var (first, _) = await ConnectAsync();
        await first.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        await first.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), Cancel());

        var (second, secondSession) = await ConnectAsync();
        var error = await Assert.ThrowsAsync<RtmpStatusException>(() => second.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel()));
        Assert.Equal(StatusCodes.PublishBadName, error.Code);
        await secondSession.WaitAsync(Timeout);

        using var reader = Assert.Single(_hub.Streams).AddReader("test");
        await first.SendVideoAsync(40, FlvBodies.AvcFrame(true, 0, FlvBodies.Nal(10)), Cancel());
        var frame = await NextAsync(reader, MediaFrameKind.Video);
        Assert.Equal(40, frame.Timestamp);
        frame.Release();
    }

    [Fact]
    public async Task UnpublishEndsTheStream()
    {
        var (client, session) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        var stream = Assert.Single(_hub.Streams);
        await client.UnpublishAsync(Cancel());
        await session.WaitAsync(Timeout);
        Assert.Equal(HubStreamState.Ended, stream.State);
        Assert.Null(stream.EndReason);
    }

    [Fact]
    public async Task DroppedConnectionWaitsForReconnect()
    {
        var (client, session) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        var stream = Assert.Single(_hub.Streams);
        await client.DisposeAsync(); // no FCUnpublish/deleteStream
        await session.WaitAsync(Timeout);
        Assert.Equal(HubStreamState.Reconnecting, stream.State);
    }

    [Fact]
    public async Task StoppingTheStreamDisconnectsThePublisher()
    {
        var (client, session) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        Assert.True(_hub.Stop("stream-1", "stream key was reset"));
        var error = await Assert.ThrowsAsync<RtmpStatusException>(() => client.Completion.WaitAsync(Timeout));
        Assert.Contains("stream key was reset", error.Description);
        await session.WaitAsync(Timeout);
    }

    [Fact]
    public async Task MalformedChunksCloseOnlyThatConnection()
    {
        var (good, _) = await ConnectAsync();
        await good.PublishAsync("rtmp://test/live", "live", "other-key", Cancel());

        var pipes = new PipePair();
        var session = StartSession(pipes.Server);
        ClientHandshake.WriteHello(pipes.Client.Output);
        await pipes.Client.Output.FlushAsync();
        var result = await pipes.Client.Input.ReadAtLeastAsync(3073);
        var buffer = result.Buffer;
        Assert.True(ClientHandshake.TryComplete(ref buffer, pipes.Client.Output));
        pipes.Client.Input.AdvanceTo(buffer.Start);
        // A chunk stream that starts with a type 2 header.
        await pipes.Client.Output.WriteAsync(Hex.Parse("83000014"));

        await session.WaitAsync(Timeout); // the session ends without throwing
        Assert.Equal(HubStreamState.Live, _hub.Find("stream-2")!.State);
    }

    [Fact]
    public async Task MalformedSequenceHeaderClosesTheConnection()
    {
        var (client, session) = await ConnectAsync();
        await client.PublishAsync("rtmp://test/live", "live", "secret-key", Cancel());
        await client.SendVideoAsync(0, new byte[] { 0x17, 0x00, 0, 0, 0, 0x01, 0x64 }, Cancel());
        await session.WaitAsync(Timeout);
        Assert.NotEqual(HubStreamState.Live, Assert.Single(_hub.Streams).State);
    }

    [Fact]
    public async Task PingRequestsAreAnswered()
    {
        var pipes = new PipePair();
        _ = StartSession(pipes.Server);
        ClientHandshake.WriteHello(pipes.Client.Output);
        await pipes.Client.Output.FlushAsync();
        var result = await pipes.Client.Input.ReadAtLeastAsync(3073);
        var buffer = result.Buffer;
        ClientHandshake.TryComplete(ref buffer, pipes.Client.Output);
        pipes.Client.Input.AdvanceTo(buffer.Start);
        new MessageWriter(new Stagecast.Rtmp.Chunking.ChunkWriter()).Write(pipes.Client.Output, new PingRequest(0xCAFE));
        await pipes.Client.Output.FlushAsync();

        // Read what the server sends until its ping response has come (or the read times out).
        var reader = new Stagecast.Rtmp.Chunking.ChunkReader();
        string? pong = null;
        while (pong is null)
        {
            var read = await pipes.Client.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            var data = read.Buffer;
            while (reader.TryReadMessage(ref data, out var message))
            {
                if (message.Type == RtmpMessageType.UserControl && Hex.Of(message.Payload).StartsWith("0007", StringComparison.Ordinal))
                {
                    pong = Hex.Of(message.Payload);
                }

                message.Return();
            }

            pipes.Client.Input.AdvanceTo(data.Start, data.End);
        }

        Assert.Equal("00070000cafe", pong); // PingResponse (7) echoing the request's timestamp
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Task.WhenAll(_sessions).WaitAsync(Timeout);
        _watchdog.Dispose();
        _logs.Dispose();
    }

    private async Task<(RtmpPublishClient Client, Task Session)> ConnectAsync()
    {
        var pipes = new PipePair();
        var session = StartSession(pipes.Server);
        var client = new RtmpPublishClient(pipes.Client);
        _clients.Add(client);
        await Task.Yield();
        return (client, session);
    }

    private Task StartSession(System.IO.Pipelines.IDuplexPipe transport, RtmpServerOptions? options = null, TimeProvider? time = null, RtmpSessionWatchdog? watchdog = null)
    {
        var session = new RtmpServerSession(transport, _hub, _keys, options ?? new RtmpServerOptions(), time ?? TimeProvider.System, watchdog ?? _watchdog, _logs.CreateLogger("rtmp"), "test");
        var task = Task.Run(async () =>
        {
            await session.RunAsync(CancellationToken.None);
            await transport.Output.CompleteAsync();
        });
        _sessions.Add(task);
        return task;
    }

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    private static async Task<MediaFrame> NextAsync(HubStreamReader reader, MediaFrameKind kind)
    {
        while (true)
        {
            var frame = await reader.ReadAsync(Cancel()) ?? throw new InvalidOperationException("stream ended");
            if (frame.Kind == kind)
            {
                return frame;
            }

            frame.Release();
        }
    }
}
