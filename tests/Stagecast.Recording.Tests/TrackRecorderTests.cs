using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Flv;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Recording.Tests;

/// <summary>A participant's H.264 recorded as it came, in process: the recorder is given no ffmpeg it could run.</summary>
public sealed class TrackRecorderTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-tracks-").FullName;
    private readonly FfmpegLauncher _noFfmpeg = new("/nonexistent/ffmpeg", TimeProvider.System);

    [Fact]
    public async Task H264IsRecordedIntoAnMp4WithoutFfmpegAndGoesOnWhenTheEncoderChangesSize()
    {
        var hub = TestHub.Create();
        hub.TryPublish("meeting/peer/camera", new PublisherInfo("webrtc", "127.0.0.1:1"), out var publisher);
        publisher!.SetRtpFormats(new RtpTrackFormat("H264", 90000, 0, "packetization-mode=1;profile-level-id=42e01f"), null);
        await using var recorder = new TrackRecorder(publisher.Stream, "peer", "camera", _work, _noFfmpeg, TimeProvider.System, NullLogger.Instance);

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

    public void Dispose()
    {
        _noFfmpeg.Dispose();
        Directory.Delete(_work, recursive: true);
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
