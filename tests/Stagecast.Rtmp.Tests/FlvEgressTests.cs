using System.Buffers;
using Stagecast.Media.Amf0;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Egress;
using Stagecast.Rtmp.Ingest;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Rtmp.Tests;

/// <summary>FLV egress is ingest backwards: what an encoder sent comes out of the hub as the same tag bodies.</summary>
public sealed class FlvEgressTests
{
    private const byte AacTag = 0xAF; // sound format 10 (AAC), 44 kHz, 16-bit, stereo: every AAC body's first byte

    private readonly StreamHub _hub = TestHub.Create();

    [Fact]
    public void AvcAndAacFramesComeOutAsTheBodiesTheEncoderSent()
    {
        byte[][] sent =
        [
            FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p),
            FlvBodies.AacSequenceHeader(GoldenVectors.AacLc48kStereo),
            FlvBodies.AvcFrame(true, 66, FlvBodies.Nal(500)),
            FlvBodies.AacFrame([1, 2, 3]),
            FlvBodies.AvcFrame(false, 0, FlvBodies.Nal(10)),
        ];

        Assert.Equal(sent.Select(b => Hex.Of(b)), RoundTrip(sent).Select(b => Hex.Of(b)));
    }

    [Fact]
    public void EnhancedRtmpHevcComesOutAsItCameIn()
    {
        byte[] record = Media.Codecs.H265.HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps);
        byte[][] sent = [FlvBodies.HevcSequenceStart(record), FlvBodies.HevcFrame(true, 33, FlvBodies.Nal(100))];

        Assert.Equal(sent.Select(b => Hex.Of(b)), RoundTrip(sent).Select(b => Hex.Of(b)));
    }

    [Fact]
    public void AVideoFrameBeforeItsConfigurationIsNotSent()
    {
        var egress = new FlvEgress();
        var frame = MediaFrame.FromPooledBuffer(MediaFrameKind.Video, ArrayPool<byte>.Shared.Rent(16), 0, 16, 0, 0, isKeyframe: true);
        Assert.False(egress.TryPackage(frame, out _));
        frame.Release();
    }

    [Fact]
    public void MetadataBecomesAnOnMetaDataObject()
    {
        var values = FlvEgress.OnMetaData(new StreamMetadata(320, 180, 30, 800, 128, "obs"));

        Assert.Equal((320.0, 180.0, 30.0, 800.0, 128.0), (values.GetNumber("width"), values.GetNumber("height"), values.GetNumber("framerate"),
            values.GetNumber("videodatarate"), values.GetNumber("audiodatarate")));
        Assert.Equal("Stagecast", values.GetString("encoder"));
        Assert.True(values.IsEcmaArray);
        Assert.Null(FlvEgress.OnMetaData(new StreamMetadata(null, null, null, null, null, null)).GetNumber("width"));
    }

    /// <summary>Publishes the bodies through <see cref="FlvIngest"/> and packages what a reader gets with <see cref="FlvEgress"/>.</summary>
    private List<byte[]> RoundTrip(byte[][] bodies)
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish("s", new PublisherInfo("rtmp", "test"), out var publisher));
        using var reader = publisher!.Stream.AddReader("egress");
        var ingest = new FlvIngest();
        foreach (byte[] body in bodies)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(body.Length);
            body.CopyTo(buffer, 0);
            bool taken = body[0] == AacTag
                ? ingest.Audio(publisher, 0, buffer, body.Length)
                : ingest.Video(publisher, 0, buffer, body.Length);
            if (!taken)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var egress = new FlvEgress();
        var tags = new List<byte[]>();
        while (reader.TryRead(out var frame))
        {
            if (egress.TryPackage(frame, out var tag))
            {
                Assert.NotEqual(FlvTagType.Script, tag.Type);
                tags.Add([.. tag.Header.Span, .. tag.Payload.Span]);
            }

            frame.Release();
        }

        publisher.Dispose();
        return tags;
    }
}
