using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// WHEP's <c>?rendition=</c>: a viewer on a weak link asks for an encode of the ladder and gets its pictures, with the
/// source's audio, counted as a viewer of the livestream; names that are no rendition, or not live, are refused.
/// </summary>
public sealed class RenditionWhepTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AViewerAskingFor180pGetsItsPicturesAndTheSourcesSound()
    {
        var livestream = await (await server.NewTenantAsync()).CreateLivestreamAsync(renditions: ["180p"]);
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "640x360"));
        var status = server.App.Services.GetRequiredService<IRenditionStatus>();
        await Eventually.TrueAsync(() => status.Of(livestream.Id) is [{ State: RenditionState.Live }], "the 180p rendition live");
        var source = server.App.Services.GetRequiredService<StreamHub>().Find(livestream.Id)!;
        var encode = server.App.Services.GetRequiredService<RenditionHub>().Hub.Find(RenditionHub.StreamId(livestream.Id, RenditionLadder.Find("180p")!))!;
        string whep = $"{server.HttpBase}/{livestream.Id}/whep";

        var pictures = new PictureSize();
        await using (var viewer = await WhepClient.ConnectAsync(server.Http, $"{whep}?rendition=180p", DtlsCertificate.Create(TimeProvider.System)))
        {
            viewer.RtpReceived = pictures.Read;
            await Eventually.TrueAsync(() => pictures.Size is not null && viewer.AudioPackets > 50, "a keyframe's parameter sets and audio at the viewer");
            Assert.Equal((320, 180), pictures.Size);
            Assert.Contains(encode.Readers, r => r.Name == "whep-fanout");
            Assert.DoesNotContain(source.Readers, r => r.Name == "whep-fanout");
            Assert.Equal((1, 0), (source.Viewers, encode.Viewers));

            // The session is the livestream's, as any viewer's: it ends at the URL it was given.
            Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(server.HttpBase + viewer.Location)).StatusCode);
            await Eventually.TrueAsync(() => source.Viewers == 0, "the viewer to leave the count");
        }

        using var unknown = await OfferAsync($"{whep}?rendition=4k");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.StartsWith("rendition: '4k' is not a rendition", await ErrorAsync(unknown));

        using var notInLadder = await OfferAsync($"{whep}?rendition=360p");
        Assert.Equal(HttpStatusCode.NotFound, notInLadder.StatusCode);
        Assert.Contains("no live 360p rendition", await ErrorAsync(notInLadder));
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    /// <summary>An offer to a URL that refuses it before reading it.</summary>
    private Task<HttpResponseMessage> OfferAsync(string url) =>
        server.Http.PostAsync(url, new StringContent("v=0\r\n", System.Text.Encoding.UTF8, "application/sdp"));

    /// <summary>The picture size a viewer's H.264 says, from the sequence parameter set of the keyframes it receives.</summary>
    private sealed class PictureSize
    {
        private const int H264PayloadType = 102; // WhepClient's offer
        private readonly H264RtpDepacketizer _depacketizer = new();
        private (int Width, int Height)? _size;

        public (int Width, int Height)? Size
        {
            get
            {
                lock (_depacketizer)
                {
                    return _size;
                }
            }
        }

        public void Read(ReadOnlySpan<byte> packet)
        {
            if (!RtpHeader.TryGetLength(packet, out int header) || RtpHeader.PayloadType(packet) != H264PayloadType)
            {
                return;
            }

            lock (_depacketizer)
            {
                _depacketizer.Push(packet[header..^RtpHeader.PaddingLength(packet)], RtpHeader.Timestamp(packet), RtpHeader.Marker(packet));
                if (_depacketizer.Sps is { } sps)
                {
                    var parsed = H264SequenceParameterSet.Parse(sps);
                    _size = (parsed.Width, parsed.Height);
                }
            }
        }
    }
}
