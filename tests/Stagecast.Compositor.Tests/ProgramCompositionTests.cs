using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Compositor.Tests;

/// <summary>
/// A program's picture from two participants' media in a meeting hub, in process on a fake clock: their H.264 as a
/// WebRTC publisher sends it (RTP of a red and a blue picture ffmpeg encoded), read, decoded and laid out in the order
/// the sources are given; a participant that stops sending gets its name tile once its picture is older than the
/// stall hold.
/// </summary>
public sealed class ProgramCompositionTests : IDisposable
{
    private static readonly YuvColor Red = new(81, 90, 240);
    private static readonly YuvColor Blue = new(41, 240, 110);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
    private readonly FfmpegLauncher _ffmpeg;
    private readonly NameLabels _labels;
    private readonly StreamHub _hub;
    private readonly string _work = Directory.CreateTempSubdirectory("program-").FullName;

    public ProgramCompositionTests()
    {
        _ffmpeg = new FfmpegLauncher("ffmpeg", _time);
        _labels = new NameLabels(_ffmpeg, _time, NullLogger.Instance);
        _hub = TestHub.Create(_time);
    }

    [Fact]
    public async Task TwoParticipantsPicturesAreLaidOutInTheirOrderAndOneThatStopsShowsItsTile()
    {
        var options = new CompositorOptions();
        await using var program = new MeetingProgram("m-1", options, _ffmpeg, 640, 360, "Room", _labels, _time, NullLogger.Instance);
        var ada = new Participant(Publish("m-1/ada/camera"), await EncodeAsync("red"));
        var bob = new Participant(Publish("m-1/bob/camera"), await EncodeAsync("blue"));
        program.SetSources([new(ada.Stream, "Ada", false), new(bob.Stream, "Bob", false)]);
        ada.SendFrames(0, 5);
        bob.SendFrames(0, 5);
        await Eventually.TrueAsync(() => program.Feeds.Values.All(f => f.Pictures > 0), "both participants' pictures decoded");

        var tiles = ProgramLayout.Arrange([new("a", "A", false), new("b", "B", false)], null, program.Width, program.Height);
        var canvas = program.Compose();
        AssertColour(Red, canvas, tiles[0].Picture, "Ada, first");
        AssertColour(Blue, canvas, tiles[1].Picture, "Bob, second");

        // Bob spoke last: his camera comes first, and the pictures change places.
        program.SetSources([new(bob.Stream, "Bob", false), new(ada.Stream, "Ada", false)]);
        canvas = program.Compose();
        AssertColour(Blue, canvas, tiles[0].Picture, "Bob, first");
        AssertColour(Red, canvas, tiles[1].Picture, "Ada, second");

        // Past the stall hold only Bob sends pictures: Ada's tile shows her name on the tile colour. Her decoder may
        // still hand over a picture or two of those she sent (ffmpeg holds a few, more on a loaded machine), each fresh
        // when it comes, so the clock moves on a stall hold at a time until one passes with none of hers.
        int next = 5;
        await Eventually.TrueAsync(async () =>
        {
            _time.Advance(options.StallHold + TimeSpan.FromMilliseconds(1));
            long bobPictures = program.Feeds[bob.Stream.Id].Pictures;
            bob.SendFrames(next++, 1);
            await Eventually.TrueAsync(() => program.Feeds[bob.Stream.Id].Pictures > bobPictures, "Bob's next picture decoded");
            canvas = program.Compose();
            return IsColour(YuvColor.Tile, canvas, tiles[1].Picture);
        }, "Ada's name tile");
        AssertColour(Blue, canvas, tiles[0].Picture, "Bob, still sending");
        AssertColour(YuvColor.Tile, canvas, tiles[1].Picture, "Ada's name tile");
    }

    [Fact]
    public async Task ASourceWhoseStreamEndedLeavesThePictureAtOnceWhateverTheSourcesSay()
    {
        var options = new CompositorOptions();
        await using var program = new MeetingProgram("m-2", options, _ffmpeg, 640, 360, "Room", _labels, _time, NullLogger.Instance);
        var adaPublisher = Publish("m-2/ada/camera");
        var ada = new Participant(adaPublisher, await EncodeAsync("red"));
        var bob = new Participant(Publish("m-2/bob/camera"), await EncodeAsync("blue"));
        program.SetSources([new(ada.Stream, "Ada", false), new(bob.Stream, "Bob", false)]);
        ada.SendFrames(0, 5);
        bob.SendFrames(0, 5);
        await Eventually.TrueAsync(() => program.Feeds.Values.All(f => f.Pictures > 0), "both participants' pictures decoded");

        // Ada is sent off the stage: her stream ends at once, while the program's list of sources still names her (its
        // next follow may come late on a busy machine). The next picture is Bob's alone, full size.
        var twoTiles = ProgramLayout.Arrange([new("a", "A", false), new("b", "B", false)], null, program.Width, program.Height);
        AssertColour(Red, program.Compose(), twoTiles[0].Picture, "Ada, first");
        adaPublisher.Unpublish();
        var canvas = program.Compose();
        AssertColour(Blue, canvas, twoTiles[0].Picture, "Bob, alone, where Ada's tile was");
        AssertColour(Blue, canvas, twoTiles[1].Picture, "Bob, alone");
    }

    [Fact]
    public async Task ADecoderThatFallsBehindTakesNoFrameUntilAKeyframeRatherThanOneWhoseReferenceItLacks()
    {
        var frames = await EncodeAsync("red");
        var (sps, pps) = (ParameterSet(frames[0].AccessUnit, 7), ParameterSet(frames[0].AccessUnit, 8));
        int pictures = 0;
        await using var decoder = new VideoDecoder(_ffmpeg, "H264", 320, 180, _ => Interlocked.Increment(ref pictures), NullLogger.Instance);
        Assert.True(decoder.Push(frames[0].AccessUnit, keyframe: true, sps, pps));
        for (int i = 1; i < 5; i++)
        {
            Assert.True(decoder.Push(frames[i].AccessUnit, keyframe: false));
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref pictures) > 0, "the first pictures decoded");

        // The decoder stops reading, as a process starved of CPU does: frames pile up in front of it until one is refused,
        // and from then on every frame but a keyframe (a frame after a refused one would lack its reference).
        string pid = decoder.ProcessId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await ExternalProcess.RunAsync("kill", ["-STOP", pid], TimeSpan.FromSeconds(10))).ExitCode);
        int taken = 0;
        while (taken < 100_000 && decoder.Push(frames[1 + (taken % 29)].AccessUnit, keyframe: false))
        {
            taken++;
        }

        Assert.True(taken < 100_000, "a decoder that does not read was fed without end");
        Assert.True(decoder.NeedsKeyframe);
        Assert.False(decoder.Push(frames[1].AccessUnit, keyframe: false));

        // It reads again: once it has caught up, the keyframe is taken, and the frames after it.
        Assert.Equal(0, (await ExternalProcess.RunAsync("kill", ["-CONT", pid], TimeSpan.FromSeconds(10))).ExitCode);
        await Eventually.TrueAsync(() => decoder.Push(frames[0].AccessUnit, keyframe: true, sps, pps), "the keyframe taken once the decoder caught up");
        Assert.False(decoder.NeedsKeyframe);
        Assert.True(decoder.Push(frames[1].AccessUnit, keyframe: false));
    }

    public void Dispose()
    {
        _labels.Dispose();
        _ffmpeg.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>The colour in the picture's upper right quarter, clear of the caption (lower left) and a name (centred).</summary>
    private static void AssertColour(YuvColor expected, I420Image canvas, PixelRect picture, string what) =>
        Assert.True(IsColour(expected, canvas, picture), $"{what}: {Seen(canvas, picture)}, not {expected}");

    private static bool IsColour(YuvColor expected, I420Image canvas, PixelRect picture) =>
        Seen(canvas, picture) is var seen && Math.Abs(seen.Y - expected.Y) <= 12 && Math.Abs(seen.U - expected.U) <= 12 && Math.Abs(seen.V - expected.V) <= 12;

    private static YuvColor Seen(I420Image canvas, PixelRect picture)
    {
        int x = picture.X + (picture.Width * 3 / 4);
        int y = picture.Y + (picture.Height / 4);
        return new YuvColor(canvas.Y[(y * canvas.Width) + x], canvas.U[(y / 2 * (canvas.Width / 2)) + (x / 2)], canvas.V[(y / 2 * (canvas.Width / 2)) + (x / 2)]);
    }

    /// <summary>A participant's stream in the meeting hub, published as a WebRTC publisher does: H.264 RTP.</summary>
    private Publisher Publish(string streamId)
    {
        _hub.TryPublish(streamId, new PublisherInfo("webrtc", "127.0.0.1"), out var publisher);
        publisher!.SetRtpFormats(new RtpTrackFormat("H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f"), null);
        return publisher;
    }

    /// <summary>A second of a flat colour from ffmpeg, as access units (length-prefixed NAL units), the first a keyframe.</summary>
    private async Task<List<(byte[] AccessUnit, bool Keyframe)>> EncodeAsync(string colour)
    {
        string file = Path.Combine(_work, $"{colour}.h264");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", $"color=c={colour}:s=320x180:r=30", "-frames:v", "30", "-c:v", "libx264",
             "-profile:v", "baseline", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264", file],
            TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        var units = new List<(byte[], bool)>();
        var nals = new List<byte[]>();
        foreach (byte[] nal in AnnexB.NalUnits(await File.ReadAllBytesAsync(file)))
        {
            nals.Add(nal);
            if ((nal[0] & 0x1F) is 1 or 5)
            {
                units.Add((AnnexB.ToLengthPrefixed(nals), (nal[0] & 0x1F) == 5));
                nals.Clear();
            }
        }

        return units;
    }

    /// <summary>The parameter set of NAL unit type <paramref name="type"/> (7: SPS, 8: PPS) in a keyframe's access unit.</summary>
    private static byte[] ParameterSet(byte[] accessUnit, int type)
    {
        for (int offset = 0; offset + 4 < accessUnit.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(accessUnit.AsSpan(offset));
            if ((accessUnit[offset + 4] & 0x1F) == type)
            {
                return accessUnit[(offset + 4)..(offset + 4 + length)];
            }

            offset += 4 + length;
        }

        throw new InvalidOperationException($"no NAL unit of type {type} in the keyframe");
    }

    /// <summary>One participant: its stream and its encoded pictures, sent as RTP (SPS and PPS in front of the keyframe).</summary>
    private sealed class Participant(Publisher publisher, List<(byte[] AccessUnit, bool Keyframe)> frames)
    {
        private readonly byte[] _sps = ParameterSet(frames[0].AccessUnit, 7);
        private readonly byte[] _pps = ParameterSet(frames[0].AccessUnit, 8);
        private ushort _sequence;

        public HubStream Stream => publisher.Stream;

        public void SendFrames(int first, int count)
        {
            foreach (var (accessUnit, keyframe) in frames.Skip(first).Take(count))
            {
                uint timestamp = (uint)(first++ * 3000);
                H264RtpPacketizer.Packetize(accessUnit, 4, 1200, _sps, _pps, keyframe, (payload, marker) =>
                {
                    var packet = new byte[RtpHeader.FixedLength + payload.Length];
                    RtpHeader.Write(packet, marker, 96, _sequence++, timestamp, 0x44444444);
                    payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
                    publisher.WriteRtp(packet, video: true);
                });
            }
        }
    }
}
