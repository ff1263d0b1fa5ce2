using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Whep;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The meeting SFU in process: participants publish (<see cref="SfuPublisher"/>) to their streams in a meeting hub and
/// subscribe to each other (<see cref="ForwardingWhepSession"/>), with Stagecast's own client at every end, a real
/// transport on loopback, and the feedback ticks and the speaker's timing on a fake clock. The room is the test's own
/// listener, as the server's meeting media is.
/// </summary>
public sealed class SfuRoomTests : IAsyncLifetime
{
    private static readonly TimeSpan FeedbackTick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(10);
    private readonly Room _room = new();
    private InProcessWebRtc _rtc = null!;

    /// <summary>A meeting hub: a source whose publisher dropped waits 5 s to be published again (the republish window).</summary>
    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync(hub: new StreamHubOptions { ReconnectWindow = TimeSpan.FromSeconds(5) });

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    [Fact]
    public async Task SubscribersGetAPublishersMediaNothingWhileMutedFromAKeyframeAfterAndTheirTracksEndWhenItLeaves()
    {
        var ada = await PublishAsync("ada");
        var (bob, bobSession) = await SubscribeAsync(ada.Stream);
        var (cy, cySession) = await SubscribeAsync(ada.Stream);
        var (atBob, atCy) = (new ReceivedPackets(bob), new ReceivedPackets(cy));

        ushort video = 0;
        ushort audio = 0;
        ada.Client.SendRtp(TestRtp.Video(video++, keyframe: true, 0));
        for (int i = 0; i < 10; i++)
        {
            ada.Client.SendRtp(TestRtp.Video(video++, keyframe: false, 1 + i));
            ada.Client.SendRtp(TestRtp.Audio(audio++, level: 30, i));
        }

        await Eventually.TrueAsync(() => new[] { atBob, atCy }.All(s => s.Video.Count == 11 && s.Audio.Count == 10), "Ada's video and audio at Bob and Cy");
        Assert.Equal(Enumerable.Range(0, 11), ReceivedPackets.Tags(atCy.Video));
        Assert.True(ada.Session.Video!.Forwarding && _room.TrackChanges(ada.Session) > 0);

        // Ada turns her camera off: its packets still reach the server, and no subscriber gets them; her audio goes on.
        ada.Session.SetMuted(video: true, muted: true);
        for (int i = 0; i < 5; i++)
        {
            ada.Client.SendRtp(TestRtp.Video(video++, keyframe: i == 0, 100 + i));
        }

        ada.Client.SendRtp(TestRtp.Audio(audio++, level: 30, 100)); // after the muted pictures: when it is in, they were handled
        await Eventually.TrueAsync(() => atBob.Audio.Count == 11 && atCy.Audio.Count == 11, "Ada's audio sent after the muted pictures");
        Assert.Equal(16, ada.Session.Video.Packets);
        Assert.Equal((11, 11), (atBob.Video.Count, atCy.Video.Count));
        Assert.False(ada.Session.Video.Forwarding);

        // On again: the subscribers resume at her next keyframe, which the server asks her for (half a second after its last PLI).
        int plis = ada.Received.Plis;
        ada.Session.SetMuted(video: true, muted: false);
        await TickAsync(ada);
        await TickAsync(ada);
        Assert.Equal(plis + 1, ada.Received.Plis);
        ada.Client.SendRtp(TestRtp.Video(video++, keyframe: false, 200)); // no keyframe yet: not forwarded
        ada.Client.SendRtp(TestRtp.Video(video++, keyframe: true, 201));
        ada.Client.SendRtp(TestRtp.Video(video++, keyframe: false, 202));
        await Eventually.TrueAsync(() => atBob.Video.Count == 13 && atCy.Video.Count == 13, "Ada's pictures from her keyframe on");
        Assert.Equal([.. Enumerable.Range(0, 11), 201, 202], ReceivedPackets.Tags(atBob.Video));

        // Ada leaves the meeting: her stream ends now, and with it Bob's and Cy's subscriptions.
        ada.Session.Unpublish();
        await Eventually.TrueAsync(() => bobSession.IsClosed && cySession.IsClosed, "the subscriptions to Ada to end");
        Assert.Equal("the stream ended", bobSession.CloseReason);
        Assert.Null(_rtc.Hub.Find(ada.Session.StreamId));
        Assert.Empty(_rtc.Transport.Sessions);
        Assert.Equal("the publisher ended the session", _room.ClosedWith(ada.Session));
    }

    [Fact]
    public async Task ASubscribersNackIsAnsweredFromWhatWasSentAndLossOnTheWayInIsAskedFor()
    {
        var ada = await PublishAsync("ada");
        var (bob, bobSession) = await SubscribeAsync(ada.Stream);
        var atBob = new ReceivedPackets(bob);
        ushort? first = null;
        var lost = new HashSet<ushort>();
        bob.Lose = (payloadType, sequence) =>
            payloadType == WhipClient.VideoPayloadType && (ushort)(sequence - (first ??= sequence)) is 2 or 5 && lost.Add(sequence); // once each

        // Bob's network loses his third and sixth pictures; he asks for them, and for one never sent: the two come again.
        for (ushort sequence = 0; sequence < 10; sequence++)
        {
            ada.Client.SendRtp(TestRtp.Video(sequence, keyframe: sequence == 0, sequence));
        }

        await Eventually.TrueAsync(() => atBob.Video.Count == 8, "the eight pictures Bob's network let through");
        bob.SendRtcp(Nack(bobSession, (ushort)(first!.Value + 2), (ushort)(first.Value + 5), (ushort)(first.Value + 1000)));
        await Eventually.TrueAsync(() => atBob.Video.Count == 10, "the two pictures Bob asked for");
        Assert.Equal([2, 5], ReceivedPackets.Tags(atBob.Video.Skip(8)));
        Assert.Equal([(ushort)(first.Value + 2), (ushort)(first.Value + 5)], atBob.Video.Skip(8).Select(p => Media.Rtp.RtpHeader.SequenceNumber(p)));
        Assert.Equal(2, bobSession.Retransmitted);
        Assert.Equal(0, bob.Rejected);

        // Ada's packet 15 is lost on the way in: the next feedback tick asks her for it.
        for (ushort sequence = 10; sequence < 20; sequence++)
        {
            if (sequence != 15)
            {
                ada.Client.SendRtp(TestRtp.Video(sequence, keyframe: false, sequence));
            }
        }

        await Eventually.TrueAsync(() => ada.Session.Video!.Packets == 19, "Ada's pictures at the server");
        await TickAsync(ada);
        Assert.Equal([15], ada.Received.Nacked);
    }

    [Fact]
    public async Task ASubscribersPliReachesThePublisherAtMostOnceEveryHalfSecond()
    {
        var ada = await PublishAsync("ada");
        var (bob, bobSession) = await SubscribeAsync(ada.Stream);

        // Ada sends the keyframe a new publisher and subscriber want, and nothing is wanted for a while.
        ada.Client.SendRtp(TestRtp.Video(0, keyframe: true, 0));
        await Eventually.TrueAsync(() => ada.Session.Video!.Packets == 1, "Ada's keyframe at the server");
        for (int tick = 0; tick < 4; tick++)
        {
            await TickAsync(ada);
        }

        int plis = ada.Received.Plis;
        Assert.Equal(plis, ada.Session.Feedback.Plis);

        // Bob's PLI goes to Ada at the next tick; asked again at once, she hears of it only half a second after the last.
        await PliAsync(bob, bobSession, mark: 1);
        await TickAsync(ada);
        Assert.Equal(plis + 1, ada.Received.Plis);
        await PliAsync(bob, bobSession, mark: 2);
        await TickAsync(ada);
        Assert.Equal(plis + 1, ada.Received.Plis); // 250 ms after the last
        await TickAsync(ada);
        Assert.Equal(plis + 2, ada.Received.Plis); // 500 ms after it
    }

    [Fact]
    public async Task TheActiveSpeakerFollowsThePublishersAudioLevelsAndAMutedMicrophoneIsSilent()
    {
        var ada = await PublishAsync("ada");
        var bob = await PublishAsync("bob");
        var speakers = new ActiveSpeakerDetector(_rtc.Clock);
        ushort sequence = 0;

        // Every 100 ms on the fake clock, what each publisher's audio levels said since the last look (as the room does).
        async Task<string?> SpeakAsync(int adaLevel, int bobLevel, int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                long before = ada.Session.Audio!.Packets;
                for (int i = 0; i < 5; i++, sequence++)
                {
                    ada.Client.SendRtp(TestRtp.Audio(sequence, adaLevel, sequence));
                    bob.Client.SendRtp(TestRtp.Audio(sequence, bobLevel, sequence));
                }

                await Eventually.TrueAsync(() => ada.Session.Audio.Packets == before + 5 && bob.Session.Audio!.Packets == before + 5, "the round's audio at the server");
                if (speakers.Update([("ada", ada.Session.TakeAudioLevel()), ("bob", bob.Session.TakeAudioLevel())]) is { } speaker)
                {
                    return speaker;
                }

                _rtc.Clock.Advance(TimeSpan.FromMilliseconds(100));
            }

            return null;
        }

        Assert.Null(await SpeakAsync(adaLevel: 127, bobLevel: 127, rounds: 5)); // silence: nobody
        Assert.Equal("ada", await SpeakAsync(adaLevel: 20, bobLevel: 127, rounds: 10));
        Assert.Equal("bob", await SpeakAsync(adaLevel: 127, bobLevel: 20, rounds: 20)); // once Ada has held the place a second

        // Bob mutes his microphone and goes on sending loud packets: they count as silence, and Ada takes over.
        bob.Session.SetMuted(video: false, muted: true);
        Assert.Equal("ada", await SpeakAsync(adaLevel: 40, bobLevel: 5, rounds: 20));
    }

    [Fact]
    public async Task APublisherThatFallsSilentIsClosedAtItsMediaTimeoutAndItsSubscriptionsEndWithItsStream()
    {
        var ada = await PublishAsync("ada");
        var (bob, bobSession) = await SubscribeAsync(ada.Stream);
        var atBob = new ReceivedPackets(bob);
        ada.Client.SendRtp(TestRtp.Video(0, keyframe: true, 0));
        await Eventually.TrueAsync(() => atBob.Video.Count == 1, "Ada's keyframe at Bob");

        // Ada's browser is killed: nothing says goodbye, and after the media timeout of silence her session closes.
        await ada.Client.DisposeAsync();
        for (var silent = TimeSpan.Zero; !ada.Session.IsClosed && silent <= MediaTimeout + FeedbackTick; silent += FeedbackTick)
        {
            _rtc.Clock.Advance(FeedbackTick);
        }

        Assert.Equal("the publisher sent nothing for 10 s", ada.Session.CloseReason);
        Assert.Equal(ada.Session.CloseReason, _room.ClosedWith(ada.Session));

        // Her stream waits for her to publish again; when she does not, Bob's subscription ends with it.
        Assert.False(bobSession.IsClosed, bobSession.CloseReason);
        _rtc.Clock.Advance(_rtc.Hub.Options.ReconnectWindow);
        await Eventually.TrueAsync(() => bobSession.IsClosed, "Bob's subscription to end with Ada's stream");
        Assert.Equal("the stream ended", bobSession.CloseReason);
    }

    [Fact]
    public async Task APublisherThatNumbersItsPacketsTransportWideIsToldWhatArrivedAndWhatWasLost()
    {
        var ada = await PublishAsync("ada");
        var publisher = ada.Publisher;
        string answer = publisher.Answer(publisher.Negotiation.Media);
        Assert.Contains($"a=extmap:{WhipClient.TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}", answer);
        Assert.Contains($"a=rtcp-fb:{WhipClient.VideoPayloadType} transport-cc", answer);

        // The first numbered packet is reported at once; the next ones (5 lost) once 100 ms have passed, with the next packet.
        ada.Client.SendRtp(TestRtp.Video(0, keyframe: true, 0, transportSequence: 1000));
        await Eventually.TrueAsync(() => ada.Received.TransportFeedback.Count == 1, "the first transport-wide feedback");
        for (ushort i = 1; i < 10; i++)
        {
            if (i != 5)
            {
                ada.Client.SendRtp(TestRtp.Video(i, keyframe: false, i, transportSequence: (ushort)(1000 + i)));
            }
        }

        await Eventually.TrueAsync(() => ada.Session.Video!.Packets == 9, "the packets at the server");
        Assert.Single(ada.Received.TransportFeedback); // within the interval
        _rtc.Clock.Advance(TransportFeedbackRecorder.Interval);
        ada.Client.SendRtp(TestRtp.Video(10, keyframe: false, 10, transportSequence: 1010));
        await Eventually.TrueAsync(() => ada.Received.TransportFeedback.Count == 2, "the second transport-wide feedback");

        var feedback = ada.Received.TransportFeedback;
        Assert.Equal((ushort)1000, feedback[0].Base);
        Assert.Equal([true], feedback[0].Arrived);
        Assert.Equal((ushort)1001, feedback[1].Base);
        Assert.Equal(Enumerable.Range(1001, 10).Select(n => n != 1005), feedback[1].Arrived);
    }

    private async Task<Participant> PublishAsync(string name)
    {
        string streamId = $"meeting/{name}/camera";
        var (client, session) = await _rtc.ConnectAsync((negotiate, certificate) => WhipClient.ConnectAsync(negotiate, certificate), offer =>
        {
            var negotiation = PublishNegotiation.Choose(offer, new PublishPolicy(PreferVp8: true, AudioLevels: true, TransportWideCc: true));
            return (new SfuPublisher(_rtc.Transport, offer, negotiation, InProcessWebRtc.ClientAddress, _rtc.Hub, streamId, _room, MediaTimeout,
                NullLogger.Instance), negotiation.Media);
        });
        var stream = await Eventually.MatchAsync(() => _rtc.Hub.Find(streamId), s => s?.RtpVideo is not null, $"{name}'s stream in the meeting hub");
        // The feedback timer's first tick is due as it starts: its RTCP comes first, so every later tick's is counted.
        await Eventually.TrueAsync(() => client.RtcpPackets == 1, $"the first feedback to {name}");
        return new Participant(client, session.Publication, stream!, new ReceivedPackets(client), session);
    }

    private async Task<(WhepClient Client, ForwardingWhepSession Session)> SubscribeAsync(HubStream stream)
    {
        var subscription = await _rtc.ConnectAsync((negotiate, certificate) => WhepClient.ConnectAsync(negotiate, certificate), offer =>
        {
            var session = new ForwardingWhepSession(_rtc.Transport, offer, WhepNegotiation.ChooseForSubscriber(offer, stream, audio: true),
                InProcessWebRtc.ClientAddress, stream, NullLogger.Instance);
            return (session, session.Negotiation.Media);
        });
        await Eventually.TrueAsync(() => stream.Readers.Any(r => r.Name.StartsWith($"sfu-{subscription.Session.Id}-", StringComparison.Ordinal)), "the subscription to read the stream");
        return subscription;
    }

    /// <summary>One feedback tick: the clock moves on (the publisher's timer runs within) and the publisher has the tick's RTCP.</summary>
    private async Task TickAsync(Participant publisher)
    {
        long compounds = publisher.Client.RtcpPackets;
        _rtc.Clock.Advance(FeedbackTick);
        await Eventually.TrueAsync(() => publisher.Client.RtcpPackets == compounds + 1, "the feedback tick's RTCP at the publisher");
    }

    /// <summary>
    /// A subscriber's PLI, sent with a receiver report whose highest sequence number is <paramref name="mark"/>: once the
    /// session shows that report, it has handled the PLI in front of it.
    /// </summary>
    private static async Task PliAsync(WhepClient client, ForwardingWhepSession session, uint mark)
    {
        var rtcp = new byte[64];
        int length = RtcpWriter.Pli(rtcp, 0x33333333, session.Negotiation.VideoSsrc);
        length += RtcpWriter.ReceiverReport(rtcp.AsSpan(length), 0x33333333, [new ReceptionReport(session.Negotiation.VideoSsrc, 0, 0, mark, 0, 0, 0)]);
        client.SendRtcp(rtcp.AsSpan(0, length));
        await Eventually.TrueAsync(() => session.Video!.Report?.HighestSequence == mark, "the subscriber's PLI at the server");
    }

    private static byte[] Nack(ForwardingWhepSession session, params ushort[] lost)
    {
        var rtcp = new byte[128];
        int length = RtcpWriter.EmptyReceiverReport(rtcp, 0x33333333);
        length += RtcpWriter.Nack(rtcp.AsSpan(length), 0x33333333, session.Negotiation.VideoSsrc, lost);
        return rtcp[..length];
    }

    private sealed record Participant(WhipClient Client, SfuPublication Session, HubStream Stream, ReceivedPackets Received, SfuPublisher Publisher);

    /// <summary>The test's room: what its publishers told it.</summary>
    private sealed class Room : ISfuPublisherListener
    {
        private readonly List<(SfuPublication Publisher, string? Closed)> _heard = [];

        public int TrackChanges(SfuPublication publisher)
        {
            lock (_heard)
            {
                return _heard.Count(h => h.Publisher == publisher && h.Closed is null);
            }
        }

        public string? ClosedWith(SfuPublication publisher)
        {
            lock (_heard)
            {
                return _heard.LastOrDefault(h => h.Publisher == publisher && h.Closed is not null).Closed;
            }
        }

        public void OnConnecting(SfuPublication publisher)
        {
        }

        public void OnTracksChanged(SfuPublication publisher)
        {
            lock (_heard)
            {
                _heard.Add((publisher, null));
            }
        }

        public void OnClosed(SfuPublication publisher, string reason)
        {
            lock (_heard)
            {
                _heard.Add((publisher, reason));
            }
        }
    }
}
