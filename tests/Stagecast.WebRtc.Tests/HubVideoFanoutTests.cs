using System.Buffers.Binary;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Whep;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The WHEP fan-out of a stream's frames (<see cref="HubVideoFanout"/>) in process: viewers spread over its shards, one
/// per core, fed frames published to the hub as an RTMP ingest would, with Stagecast's own client at every end.
/// </summary>
public sealed class HubVideoFanoutTests : IAsyncLifetime
{
    private const int FramesInFlight = 16;
    private const int FrameSize = 6000; // five packets
    private InProcessWebRtc _rtc = null!;

    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync(options =>
    {
        options.TcpPort = null; // ICE-TCP on an ephemeral port
        options.MaxSessionsPerAddress = 100;
    });

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    [Fact]
    public async Task ViewersOnEveryShardGetEveryFrameWhileAStalledOneLosesOnlyItsOwn()
    {
        _rtc.Hub.TryPublish("live", new PublisherInfo("rtmp", InProcessWebRtc.ClientAddress), out var publisher);
        publisher!.SetVideoConfig(SyntheticMedia.Video720p);
        var stream = publisher.Stream;

        // More viewers than shards, so each shard serves several; one more, over ICE-TCP, stops reading.
        var connected = await Task.WhenAll(Enumerable.Range(0, 2 * Environment.ProcessorCount + 2).Select(_ => _rtc.WatchAsync(stream)));
        Assert.All(connected, c => Assert.IsType<HubWhepSession>(c.Session));
        var viewers = connected.Select(c => new Pictures(c.Client)).ToList();
        var (stalledClient, _) = await _rtc.WatchAsync(stream, iceTcp: true);
        var stalled = new Pictures(stalledClient);
        await Eventually.TrueAsync(() => stream.Viewers == viewers.Count + 1, "every viewer on the fan-out");
        Assert.Single(stream.Readers, r => r.Name == "whep-fanout");
        stalledClient.PauseReading();

        // More than the stalled viewer's connection and its queue on the server hold (about 1.3 MB), written no further
        // ahead of the slowest viewer that reads than a client's socket holds.
        int tag = 0;
        for (; tag < 320; tag++)
        {
            publisher.Write(Frame(tag));
            if (tag % (FramesInFlight / 2) == 0)
            {
                await Task.WhenAll(viewers.Select(v => v.BegunAsync(tag - FramesInFlight))).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        await Task.WhenAll(viewers.Select(v => v.BegunAsync(tag - 1))).WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => viewers.All(v => v.Frames == tag), "every frame's end at every viewer that reads");
        Assert.All(viewers, v => Assert.Equal((tag, 0), (v.Frames, v.Gaps)));

        // It reads again: what its connection held, then new frames once there is room for them (each written when it
        // has read another, and never further ahead of the others than before): what did not fit was dropped for it alone.
        stalledClient.ResumeReading();
        int firstNew = tag;
        while (stalled.LastTag < firstNew)
        {
            var next = stalled.NextBegun;
            await Task.WhenAll(viewers.Select(v => v.BegunAsync(tag - FramesInFlight))).WaitAsync(TimeSpan.FromSeconds(10));
            publisher.Write(Frame(tag++));
            await next.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(stalled.Gaps > 0 && stalled.Frames < tag, $"the stalled viewer got {stalled.Frames} of {tag} frames with {stalled.Gaps} gaps");
        await Eventually.TrueAsync(() => viewers.All(v => v.Frames == tag), "every frame's end at every viewer that reads");
        Assert.All(viewers, v => Assert.Equal(0, v.Gaps));
    }

    /// <summary>An H.264 frame (length-prefixed) whose slice begins with its tag; a keyframe every 32.</summary>
    private static MediaFrame Frame(int tag)
    {
        var nal = new byte[4 + FrameSize];
        BinaryPrimitives.WriteInt32BigEndian(nal, FrameSize);
        nal[4] = tag % 32 == 0 ? (byte)0x65 : (byte)0x41;
        BinaryPrimitives.WriteInt32BigEndian(nal.AsSpan(5), tag);
        return MediaFrame.Copy(MediaFrameKind.Video, nal, tag * 33L, 0, tag % 32 == 0);
    }

    /// <summary>What one viewer got of the frames: how many ended (RTP markers), the tag of the last begun, and breaks in its numbering.</summary>
    private sealed class Pictures
    {
        private ushort? _lastSequence;
        private int _frames;
        private int _lastTag = -1;
        private int _gaps;
        private TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Pictures(WebRtcClient client) => client.RtpReceived = Count;

        public int Frames => Volatile.Read(ref _frames);

        public int LastTag => Volatile.Read(ref _lastTag);

        public int Gaps => Volatile.Read(ref _gaps);

        /// <summary>Completes when the next frame begins to arrive.</summary>
        public Task NextBegun => Volatile.Read(ref _begun).Task;

        /// <summary>Completes once the frame tagged <paramref name="tag"/> or a later one has begun to arrive.</summary>
        public async Task BegunAsync(int tag)
        {
            while (true)
            {
                var begun = Volatile.Read(ref _begun).Task;
                if (LastTag >= tag)
                {
                    return;
                }

                await begun.ConfigureAwait(false);
            }
        }

        private void Count(ReadOnlySpan<byte> packet)
        {
            ushort sequence = RtpHeader.SequenceNumber(packet);
            if (_lastSequence is { } last && sequence != (ushort)(last + 1))
            {
                Interlocked.Increment(ref _gaps);
            }

            _lastSequence = sequence;
            var payload = RtpHeader.TryGetLength(packet, out int header) ? packet[header..] : [];
            if (payload.Length >= 6 && (payload[0] & 0x1F) == 28 && (payload[1] & 0x80) != 0)
            {
                Volatile.Write(ref _lastTag, BinaryPrimitives.ReadInt32BigEndian(payload[2..])); // FU-A start (RFC 6184 5.8): the slice after its NAL header
                Interlocked.Exchange(ref _begun, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }

            if (RtpHeader.Marker(packet))
            {
                Interlocked.Increment(ref _frames);
            }
        }
    }
}
