using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.WebRtc.Whep;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A WHIP publisher to WHEP viewers through the hub, in process: the sessions the endpoints build, a real transport on
/// loopback, Stagecast's own client at both ends, the server's timers on a fake clock.
/// </summary>
public sealed class WhipToWhepTests : IAsyncLifetime
{
    private InProcessWebRtc _rtc = null!;

    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync();

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    [Fact]
    public async Task TwoViewersGetThePublishersPacketsInOrderAndOneLeavingDoesNotDisturbTheOther()
    {
        var (publisher, _) = await _rtc.PublishAsync("live-1");
        var stream = await Eventually.MatchAsync(() => _rtc.Hub.Find("live-1"), s => s?.RtpVideo is not null, "the WHIP publisher's stream in the hub");
        var (ada, adaSession) = await _rtc.WatchAsync(stream!);
        var (bob, bobSession) = await _rtc.WatchAsync(stream!);
        Assert.IsType<ForwardingWhepSession>(adaSession); // the publisher's codecs are the viewers': its RTP goes as it came
        await Eventually.TrueAsync(() => stream!.Viewers == 2, "both viewers to read the stream, each counted once (its audio and its video are one viewer)");
        var (atAda, atBob) = (new ReceivedPackets(ada), new ReceivedPackets(bob));

        // A keyframe, then pictures: each viewer gets every one, in order, under its own SSRC and consecutive numbers.
        Send(publisher, first: 1000, count: 100);
        await Eventually.TrueAsync(() => atAda.Video.Count == 100 && atBob.Video.Count == 100, "a hundred pictures at each viewer");
        foreach (var (seen, session) in new[] { (atAda, adaSession), (atBob, bobSession) })
        {
            Assert.Equal(Enumerable.Range(0, 100), ReceivedPackets.Tags(seen.Video));
            Assert.All(seen.Video, p => Assert.Equal(session.Negotiation.VideoSsrc, RtpHeader.Ssrc(p)));
            var sequences = seen.Video.Select(p => RtpHeader.SequenceNumber(p)).ToList();
            Assert.All(sequences.Skip(1).Zip(sequences), pair => Assert.Equal((ushort)(pair.Second + 1), pair.First));
        }

        // Ada leaves (as her DELETE does): Bob carries on and nothing reads for her any more.
        adaSession.Close("the viewer ended the session");
        Assert.Equal(1, stream!.Viewers);
        Send(publisher, first: 1100, count: 50, firstTag: 100);
        await Eventually.TrueAsync(() => atBob.Video.Count == 150, "fifty more pictures at Bob");
        Assert.Equal(Enumerable.Range(0, 150), ReceivedPackets.Tags(atBob.Video));
        Assert.Equal(100, atAda.Video.Count);
        Assert.False(bobSession.IsClosed, bobSession.CloseReason);
        Assert.Equal(0, ada.Rejected + bob.Rejected);
    }

    /// <summary>A keyframe (when <paramref name="firstTag"/> is 0) and then P-frames, one packet each, tagged in order.</summary>
    private static void Send(Testing.WebRtc.WhipClient publisher, ushort first, int count, int firstTag = 0)
    {
        for (int i = 0; i < count; i++)
        {
            publisher.SendRtp(TestRtp.Video((ushort)(first + i), keyframe: firstTag + i == 0, firstTag + i));
        }
    }
}
