using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Recording.Tests;

/// <summary>A participant's tracks recorded as they came, in process: H.264 into MP4, VP8 and Opus into WebM, no ffmpeg.</summary>
public sealed class TrackRecorderTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-tracks-").FullName;

    [Fact]
    public async Task H264IsRecordedIntoAnMp4WithoutFfmpegAndGoesOnWhenTheEncoderChangesSize()
    {
        var hub = TestHub.Create();
        hub.TryPublish("meeting/peer/camera", new PublisherInfo("webrtc", "127.0.0.1:1"), out var publisher);
        publisher!.SetRtpFormats(new RtpTrackFormat("H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f"), null);
        await using var recorder = new TrackRecorder(publisher.Stream, "peer", "camera", _work, TimeProvider.System, NullLogger.Instance);

        // 6 s at 320x240, then the browser's encoder at 160x120 (new parameter sets, in a STAP-A before its keyframe).
        var sender = new H264RtpSender(publisher);
        sender.Send(await RecordedMedia.ClipAsync(), 0);
        sender.Send(await RecordedMedia.EncodeAsync("160x120", 3), 6_100);
        var tracks = await recorder.FinishAsync();

        var video = Assert.Single(tracks);
        Assert.Equal(("video", "H264", "peer-camera-video.mp4"), (video.Kind, video.Codec, video.FileName));
        string file = Path.Combine(_work, video.FileName);
        Assert.Equal(new FileInfo(file).Length, video.FileSize);
        Assert.False(File.Exists(file + ".part"));
        var boxes = Box.Parse(await File.ReadAllBytesAsync(file)).Select(b => b.Type).ToList();
        Assert.Equal(["ftyp", "moov", "mdat"], boxes);
        var widths = await Ffmpeg.PictureWidthsAsync(file);
        Assert.Equal((180, 90), (widths.GetValueOrDefault(320), widths.GetValueOrDefault(160)));
        var decoded = await Ffmpeg.DecodeAsync(file, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
    }

    [Fact]
    public async Task Vp8AndOpusAreRecordedIntoWebmThatPlaysAndSeeksFromEachKeyframe()
    {
        var hub = TestHub.Create();
        hub.TryPublish("meeting/peer/camera", new PublisherInfo("webrtc", "127.0.0.1:1"), out var publisher);
        publisher!.SetRtpFormats(new RtpTrackFormat("VP8", 90000, 0, ""), new RtpTrackFormat("opus", 48000, 2, "minptime=10;useinbandfec=1"));
        await using var recorder = new TrackRecorder(publisher.Stream, "peer", "camera", _work, TimeProvider.System, NullLogger.Instance);

        // 12 s of a browser's media, as the RTP path hands it over: VP8 with a keyframe every 2 s, 20 ms Opus packets.
        ushort sequence = 0;
        foreach (var (frame, ms) in await EncodeAsync(["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=12", "-c:v", "libvpx", "-g", "60", "-b:v", "300k", "-f", "ivf"], IvfFrames))
        {
            for (int at = 0; at < frame.Length; at += 1000)
            {
                // VP8's payload descriptor (RFC 7741 4.2): S set on the partition's first packet, no extensions.
                byte[] payload = [(byte)(at == 0 ? 0x10 : 0x00), .. frame.AsSpan(at, Math.Min(1000, frame.Length - at))];
                publisher.WriteRtp(Rtp(payload, at + 1000 >= frame.Length, 96, sequence++, (uint)(ms * 90), 0x55555555), video: true);
            }
        }

        foreach (var (packet, ms) in await EncodeAsync(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12", "-ac", "2", "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg"], OggPackets))
        {
            publisher.WriteRtp(Rtp(packet, false, 111, sequence++, (uint)(ms * 48), 0x66666666), video: false);
        }

        var tracks = (await recorder.FinishAsync()).ToDictionary(t => t.Kind);
        Assert.Equal(("VP8", "peer-camera-video.webm", "OPUS", "peer-camera-audio.webm"),
            (tracks["video"].Codec, tracks["video"].FileName, tracks["audio"].Codec, tracks["audio"].FileName));
        string video = Path.Combine(_work, tracks["video"].FileName);
        string audio = Path.Combine(_work, tracks["audio"].FileName);
        Assert.Equal(new FileInfo(video).Length, tracks["video"].FileSize);
        Assert.False(File.Exists(video + ".part") || File.Exists(audio + ".part"));
        var (pictureStream, soundStream) = (Assert.Single(await Ffmpeg.ProbeAsync(video)), Assert.Single(await Ffmpeg.ProbeAsync(audio)));
        Assert.Equal(("vp8", 320, 180, "opus", 48000), (pictureStream.Codec, pictureStream.Width, pictureStream.Height, soundStream.Codec, soundStream.SampleRate));
        foreach (string file in new[] { video, audio })
        {
            var decoded = await Ffmpeg.DecodeAsync(file, 30);
            Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
        }

        // Every picture and every packet is there, at its time; the pictures' keyframes are where the encoder put them.
        var pictures = await Ffmpeg.ProbeTimingsAsync(video, "v:0");
        Assert.Equal(360, pictures.Count);
        Assert.Equal([0.0, 2.0, 4.0, 6.0, 8.0, 10.0], pictures.Where(p => p.Keyframe).Select(p => Math.Round(p.Pts, 2)));
        Assert.InRange(pictures[^1].Pts, 11.9, 12.0);
        var packets = await Ffmpeg.ProbeTimingsAsync(audio, "a:0");
        Assert.InRange(packets.Count, 599, 601);
        Assert.InRange(packets[^1].Pts, 11.9, 12.0);

        // The file says how long it is, and seeks: from 7 s, decoding starts at the keyframe of 6 s, not the start.
        Assert.InRange(await DurationAsync(video), 11.9, 12.1);
        Assert.InRange(await DurationAsync(audio), 11.9, 12.1);
        var seeked = await ExternalProcess.RunAsync("ffprobe", ["-v", "error", "-read_intervals", "7%+#1", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", video], TimeSpan.FromSeconds(30));
        Assert.Equal("6.000000", seeked.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Trim());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static byte[] Rtp(ReadOnlySpan<byte> payload, bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc)
    {
        var packet = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.Write(packet, marker, payloadType, sequence, timestamp, ssrc);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
        return packet;
    }

    /// <summary>What ffmpeg encodes with <paramref name="arguments"/> (an output format, to its standard output), read into timed frames.</summary>
    private static async Task<List<(byte[] Frame, long Ms)>> EncodeAsync(string[] arguments, Func<byte[], List<(byte[], long)>> read)
    {
        string file = Path.Combine(Path.GetTempPath(), $"stagecast-track-{Guid.NewGuid()}");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", .. arguments, file], TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, error);
        byte[] bytes = await File.ReadAllBytesAsync(file);
        File.Delete(file);
        return read(bytes);
    }

    /// <summary>An IVF file's frames (a 32-byte header, then each frame's 4-byte size, 8-byte timestamp and bytes) at 30 fps.</summary>
    private static List<(byte[], long)> IvfFrames(byte[] ivf)
    {
        var frames = new List<(byte[], long)>();
        for (int at = 32; at + 12 <= ivf.Length;)
        {
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(ivf.AsSpan(at));
            long index = BinaryPrimitives.ReadInt64LittleEndian(ivf.AsSpan(at + 4));
            frames.Add((ivf.AsSpan(at + 12, size).ToArray(), index * 1000 / 30));
            at += 12 + size;
        }

        return frames;
    }

    /// <summary>An Ogg Opus file's packets, the headers left out, each at its start (its granule less its 20 ms and the pre-skip).</summary>
    private static List<(byte[], long)> OggPackets(byte[] ogg)
    {
        var packets = new List<(byte[], long)>();
        var reader = new OggPageReader();
        var buffer = new ReadOnlySequence<byte>(ogg);
        while (reader.TryReadPage(ref buffer, (packet, granule) =>
        {
            if (!packet.StartsWith("OpusHead"u8) && !packet.StartsWith("OpusTags"u8))
            {
                packets.Add((packet.ToArray(), packets.Count * 20));
            }
        }))
        {
        }

        return packets;
    }

    private static async Task<double> DurationAsync(string path)
    {
        var (_, output, _) = await ExternalProcess.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path], TimeSpan.FromSeconds(30));
        return double.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An FLV clip's pictures sent as a WebRTC publisher sends them: H.264 RTP, one sequence of packets.</summary>
    private sealed class H264RtpSender(Publisher publisher)
    {
        private ushort _sequence;

        public void Send(IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)> clip, long offsetMs)
        {
            AvcDecoderConfigurationRecord? config = null;
            foreach (var (type, timestamp, body) in clip.Where(t => t.Type == FlvTagType.Video))
            {
                if (body[1] == 0)
                {
                    config = AvcDecoderConfigurationRecord.Parse(body.AsSpan(5));
                    continue;
                }

                uint rtpTimestamp = (uint)((offsetMs + timestamp) * 90);
                H264RtpPacketizer.Packetize(body.AsSpan(5), config!.NalLengthSize, 1200, config.SequenceParameterSets[0], config.PictureParameterSets[0], body[0] >> 4 == 1,
                    (payload, marker) =>
                    {
                        var packet = new byte[RtpHeader.FixedLength + payload.Length];
                        RtpHeader.Write(packet, marker, 96, _sequence++, rtpTimestamp, 0x44444444);
                        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
                        publisher.WriteRtp(packet, video: true);
                    });
            }
        }
    }
}
