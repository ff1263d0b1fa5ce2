using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A WHIP publisher declares the tracks its SDP negotiated, and the hub holds its first picture until the audio (AAC
/// made of its Opus by a real ffmpeg) is configured: frame readers start with both configurations, then that keyframe.
/// What WhipSession's own wait (a wall clock, PLIs, the picture dropped) did before the hub waited for tracks.
/// </summary>
public sealed class WhipTracksTests : IAsyncLifetime
{
    private InProcessWebRtc _rtc = null!;

    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync();

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    [Fact]
    public async Task AWhipPublishersFirstPictureWaitsInTheHubForItsAudioAndComesAfterBothConfigurations()
    {
        var (publisher, _) = await _rtc.PublishAsync("live-1");
        var stream = await Eventually.MatchAsync(() => _rtc.Hub.Find("live-1"), s => s is not null, "the WHIP publisher's stream in the hub");
        using var reader = stream!.AddReader("test");
        Assert.Equal(StreamTracks.Video | StreamTracks.Audio, stream.DeclaredTracks); // from the SDP: H.264 and Opus

        // A keyframe (its parameter sets, then an IDR slice, one access unit) before any audio.
        publisher.SendRtp(Nal(1, GoldenVectors.H264Sps720p, marker: false));
        publisher.SendRtp(Nal(2, GoldenVectors.H264Pps720p, marker: false));
        publisher.SendRtp(Nal(3, [0x65, 0x88, 0x84, 0x00, 0x33], marker: true));
        await Eventually.TrueAsync(() => stream.Video is not null && stream.FramesIn == 1, "the keyframe in the hub");
        Assert.False(reader.TryRead(out _)); // held: neither its configuration nor the picture reached a reader

        // A second of Opus: ffmpeg's AAC configuration lets the picture go.
        for (ushort i = 0; i < 50; i++)
        {
            publisher.SendRtp(TestRtp.Audio(i, level: 30, tag: i));
        }

        await Eventually.TrueAsync(() => stream.TracksKnown, "the stream's tracks known");
        var frames = new List<(MediaFrameKind Kind, bool Keyframe)>();
        await Eventually.TrueAsync(() =>
        {
            // The held frames reach the reader as the tracks become known, not necessarily before the flag is read.
            while (reader.TryRead(out var frame))
            {
                frames.Add((frame.Kind, frame.IsKeyframe));
                frame.Release();
            }

            return frames.Count >= 3;
        }, "the held picture and both configurations at the reader");
        Assert.Equal([MediaFrameKind.VideoConfig, MediaFrameKind.AudioConfig, MediaFrameKind.Video], frames.Take(3).Select(f => f.Kind));
        Assert.All(frames.Where(f => f.Kind == MediaFrameKind.Video), f => Assert.True(f.Keyframe));
        Assert.NotNull(stream.Audio);
    }

    /// <summary>One H.264 NAL unit in one packet, in the access unit of picture 3 (TestRtp's timestamps: 3000 a sequence number).</summary>
    private static byte[] Nal(ushort sequence, byte[] nal, bool marker)
    {
        var packet = new byte[RtpHeader.FixedLength + nal.Length];
        RtpHeader.Write(packet, marker, WhipClient.VideoPayloadType, sequence, 3 * 3000, TestRtp.VideoSsrc);
        nal.CopyTo(packet, RtpHeader.FixedLength);
        return packet;
    }
}
