using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.WebRtc.Tests;

/// <summary>The meeting SFU's small parts on bytes and a fake clock: header extensions, loss, reports, speakers, negotiation.</summary>
public sealed class SfuTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AudioLevelsAreReadFromOneByteAndTwoByteHeaderExtensions()
    {
        // RFC 8285 4.2: profile 0xBEDE, one word: id 1 len 1 (level 0x85: voice, 5 dBov), id 3 len 1, padding.
        byte[] oneByte = Hex.Parse("900f0001" + "00000000" + "22222222" + "bede0001" + "1085" + "3042" + "abcd");
        Assert.True(AudioLevel.TryRead(oneByte, 1, out int level));
        Assert.Equal(5, level);
        Assert.True(RtpExtensions.TryFind(oneByte, 3, out var other));
        Assert.Equal("42", Hex.Of(other));
        Assert.False(AudioLevel.TryRead(oneByte, 2, out level));
        Assert.Equal(AudioLevel.Silence, level);

        // RFC 8285 4.3: profile 0x1000, id 20 len 1, padding to a word.
        byte[] twoByte = Hex.Parse("900f0001" + "00000000" + "22222222" + "10000001" + "14011e00" + "abcd");
        Assert.True(AudioLevel.TryRead(twoByte, 20, out level));
        Assert.Equal(30, level);

        // No extension bit, and an extension whose length runs past the packet: nothing read.
        Assert.False(AudioLevel.TryRead(Hex.Parse("800f0001" + "00000000" + "22222222" + "abcd"), 1, out _));
        Assert.False(AudioLevel.TryRead(Hex.Parse("900f0001" + "00000000" + "22222222" + "bede0009" + "1085"), 1, out _));
    }

    [Fact]
    public void TheLossTrackerAsksForGapsAFewTimesWhileTheyAreYoungAndCountsWhatNeverCame()
    {
        var time = new FakeTimeProvider(Start);
        var loss = new LossTracker(time);
        Span<ushort> due = stackalloc ushort[64];
        foreach (ushort sequence in new ushort[] { 65530, 65531, 65534, 1, 2 })
        {
            loss.Add(sequence); // across the wrap: 65532, 65533, 65535 and 0 are missing
        }

        Assert.Equal(new ushort[] { 65532, 65533, 65535, 0 }, due[..loss.Due(due)].ToArray());
        Assert.Equal(0, loss.Due(due)); // asked a moment ago
        loss.Add(65533); // a retransmission fills one gap
        time.Advance(LossTracker.RetryAfter);
        Assert.Equal(new ushort[] { 65532, 65535, 0 }, due[..loss.Due(due)].ToArray());
        Assert.Equal((9L, 6L, 3L), (loss.Expected, loss.Received, loss.Lost));

        time.Advance(LossTracker.MaxAge + TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, loss.Due(due)); // too old to help: given up, and lost
        Assert.Equal(3, loss.Lost);
        Assert.Equal(7, loss.Requested);
    }

    [Fact]
    public void AJumpFarAheadIsARestartAndReportsGiveTheFractionLostSinceTheLastOne()
    {
        var time = new FakeTimeProvider(Start);
        var loss = new LossTracker(time);
        for (ushort sequence = 0; sequence < 100; sequence++)
        {
            if (sequence % 4 != 3)
            {
                loss.Add(sequence); // a quarter lost
            }
        }

        var report = loss.Report(0x22222222, 0xAABBCCDD, 65536);
        Assert.Equal((62, 24, 98u), (report.FractionLost, report.CumulativeLost, report.HighestSequence)); // 24 of 99 expected: 62/256
        Assert.Equal((0xAABBCCDDu, 65536u), (report.LastSenderReport, report.Delay));
        loss.Add(99);
        loss.Add(100);
        Assert.Equal(0, loss.Report(0x22222222, 0, 0).FractionLost);

        loss.Add(40000); // the sender restarted its numbering
        Span<ushort> due = stackalloc ushort[64];
        Assert.Equal(0, loss.Due(due));
        Assert.Equal(24, loss.Lost);
    }

    [Fact]
    public void ReceiverReportsRoundTripThroughTheWriterAndTheReader()
    {
        Span<byte> rtcp = stackalloc byte[128];
        var blocks = new[]
        {
            new ReceptionReport(0x22222222, 64, 24, 98, 7, 0xAABBCCDD, 65536),
            new ReceptionReport(0x33333333, 0, -2, 70000, 0, 0, 0),
        };
        int length = RtcpWriter.ReceiverReport(rtcp, 0x11111111, blocks);
        Assert.Equal(8 + 48, length);
        Assert.StartsWith("82c9000d" + "11111111" + "22222222" + "40000018", Hex.Of(rtcp[..length]));

        var reader = new RtcpReader(rtcp[..length]);
        Assert.True(reader.TryRead(out var packet));
        Span<ReceptionReport> read = stackalloc ReceptionReport[4];
        Assert.Equal(blocks, read[..packet.ReceptionReports(read)].ToArray());
    }

    [Fact]
    public void TheActiveSpeakerTakesOverAfterSpeakingAWhileAndHoldsThePlace()
    {
        var time = new FakeTimeProvider(Start);
        var detector = new ActiveSpeakerDetector(time);
        int RoundsUntilChange(int ada, int bob, out string? speaker)
        {
            for (int round = 1; round <= 50; round++)
            {
                speaker = detector.Update([("ada", ada), ("bob", bob)]);
                time.Advance(TimeSpan.FromMilliseconds(100));
                if (speaker is not null)
                {
                    return round;
                }
            }

            speaker = null;
            return 0;
        }

        Assert.Null(detector.Update([("ada", 127), ("bob", 127)])); // silence: nobody
        // Ada speaks: her smoothed loudness passes the threshold in the second round, then she must stay loudest 300 ms.
        Assert.Equal(5, RoundsUntilChange(20, 127, out string? first));
        Assert.Equal("ada", first);
        Assert.Null(detector.Update([("ada", 127), ("bob", 127)])); // a pause keeps her the speaker
        time.Advance(TimeSpan.FromMilliseconds(100));
        // Bob speaks louder: loudest from his second round, but Ada holds the place for a second after she took it.
        Assert.Equal(9, RoundsUntilChange(127, 10, out string? second));
        Assert.Equal("bob", second);
        Assert.Equal("bob", detector.Current);
        detector.Remove("bob");
        Assert.Null(detector.Current);
    }

    [Fact]
    public void AMeetingPublisherSendsVp8AndOnlyWhatItsPresetAllowsAndItsAudioLevels()
    {
        var offer = SdpSessionDescription.Parse(SdpTests.ChromiumOffer);
        var negotiation = PublishNegotiation.Choose(offer, new PublishPolicy(PreferVp8: true, AllowVideo: true, AllowAudio: true, AudioLevels: true));
        Assert.Equal(("VP8", 111, 1), (negotiation.Video!.Name, negotiation.Audio!.PayloadType, negotiation.AudioLevelId));
        string answer = SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [], negotiation.Media, "stagecast");
        Assert.Contains("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n", answer);
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", answer);

        var audioOnly = PublishNegotiation.Choose(offer, new PublishPolicy(PreferVp8: true, AllowVideo: false));
        Assert.Null(audioOnly.Video);
        Assert.Contains("m=video 0 UDP/TLS/RTP/SAVPF", SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [], audioOnly.Media, "stagecast"));
        Assert.DoesNotContain("extmap", SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [], audioOnly.Media, "stagecast"));

        Assert.Throws<SdpException>(() => PublishNegotiation.Choose(offer, new PublishPolicy(AllowAudio: false, AllowVideo: false)));
    }

    [Fact]
    public void AKeyframeRequesterWithoutAnIntervalAsksOnlyWhenWanted()
    {
        var time = new FakeTimeProvider(Start);
        var requester = new KeyframeRequester(time, Timeout.InfiniteTimeSpan);
        Span<byte> rtcp = stackalloc byte[32];
        Assert.Equal(12, requester.WriteIfDue(rtcp, 1, 2, decoderWaiting: false)); // wanted from the start
        requester.KeyframeArrived();
        for (int i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(0, requester.WriteIfDue(rtcp, 1, 2, decoderWaiting: false));
        }

        requester.Request();
        Assert.Equal(12, requester.WriteIfDue(rtcp, 1, 2, decoderWaiting: false));
    }
}
