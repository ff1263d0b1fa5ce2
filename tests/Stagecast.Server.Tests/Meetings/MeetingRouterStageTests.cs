using System.Net;
using System.Text.Json;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The stage in the meeting's SFU core, in process and without a browser: the router admits media only from a peer on
/// the stage, whichever front end it comes through (a meeting WHIP publish, a RealtimeKit <c>produce</c>), and a peer
/// sent off the stage loses its producers and its streams at once, the others told as of a peer that stops publishing.
/// </summary>
public sealed class MeetingRouterStageTests : IAsyncLifetime
{
    private MeetingMediaServer _media = null!;
    private string _meeting = null!;

    public async Task InitializeAsync()
    {
        _media = await MeetingMediaServer.StartAsync();
        _meeting = await _media.Api.CreateMeetingAsync();
    }

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task OnlyAPeerOnTheStageProducesAndOneSentOffItLosesItsProducersAtOnce()
    {
        var host = await _media.Api.AddParticipantAsync(_meeting, "host", "webinar_host");
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada", "webinar_viewer");
        var vic = await _media.Api.AddParticipantAsync(_meeting, "vic", "webinar_viewer");
        var hostClient = await _media.JoinRealtimeKitAsync(host);
        await hostClient.CreateReceiveTransportAsync();
        var (adaChannel, adaPeerId) = await _media.JoinChannelAsync(ada);
        var vicClient = await _media.JoinRealtimeKitAsync(vic);
        await vicClient.CreateSendTransportAsync();
        var room = _media.Room(_meeting);
        var (adaPeer, vicPeer) = (_media.PeerOf(_meeting, ada), _media.PeerOf(_meeting, vic));

        // Off the stage, the attendees' presets would let them produce (CAN_REQUEST), but the router admits neither.
        await AssertNotOnStageAsync(ada, adaPeerId);
        Assert.Contains("you are not on the stage", RealtimeKitMediaClient.ErrorOf(await vicClient.ProduceAsync("audio")));

        // Both are let on and join: Ada publishes her camera over WHIP, Vic produces his microphone; the host is told of both.
        await room.GrantStageAsync(null, p => p == adaPeer || p == vicPeer);
        await room.JoinStageAsync(adaPeer);
        await room.JoinStageAsync(vicPeer);
        var adaCamera = await _media.PublishAsync(ada, adaPeerId);
        RealtimeKitMediaClient.Ok(await vicClient.ProduceAsync("audio"));
        var (adaAudio, vicAudio) = (RtpSender.Opus(adaCamera), vicClient.Sending!.Sender(RealtimeKitMediaClient.AudioMid));
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaAudio.Send();
            vicAudio.Send();
        }, () => hostClient.ProducersAnnounced(ProducerKind.Audio).Count() == 2 && _media.Stream(_meeting, vicPeer.Id) is not null, "the host told of Ada's and Vic's microphones");
        await adaChannel.WaitForEventAsync("peer_updated", e => IsAda(e) && e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());
        var router = _media.Router(_meeting);
        Assert.Single(router.ProducersOf(adaPeer));
        Assert.Single(router.ProducersOf(vicPeer));

        // The app sends both off the stage: their producers close (the host told), their streams end, nothing of them flows.
        await room.KickFromStageAsync(null, p => p == adaPeer || p == vicPeer);
        Assert.Empty(router.ProducersOf(adaPeer));
        Assert.Empty(router.ProducersOf(vicPeer));
        var closed = hostClient.Socket.Received.Where(m => m.Event == Events.Media.PeerProducerCloseBroadcast)
            .Select(m => PeerProducerCloseBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId);
        Assert.Equal(hostClient.ProducersAnnounced(ProducerKind.Audio).Select(p => p.ProducerId).Order(), closed.Order());
        Assert.Null(_media.Publication(_meeting, adaPeerId));
        Assert.Null(_media.Publication(_meeting, vicPeer.Id));
        await Eventually.TrueAsync(() => _media.Stream(_meeting, adaPeerId) is null && _media.Stream(_meeting, vicPeer.Id) is null, "Ada's and Vic's streams to end");
        await adaChannel.WaitForEventAsync("peer_updated", e => IsAda(e) && !e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());

        // Off the stage again, they are refused again; what the host watches goes on (it stayed on the stage).
        await AssertNotOnStageAsync(ada, adaPeerId);
        Assert.Contains("you are not on the stage", RealtimeKitMediaClient.ErrorOf(await vicClient.ProduceAsync("audio")));
        Assert.Equal(StageStatus.OnStage, _media.PeerOf(_meeting, host).Stage);

        bool IsAda(JsonElement e) => e.GetProperty("peer").GetProperty("id").GetString() == adaPeerId;
    }

    private async Task AssertNotOnStageAsync(CreatedParticipant participant, string peerId)
    {
        using var offer = new HttpRequestMessage(HttpMethod.Post, $"{_media.Server.HttpBase}/realtime/v1/peers/{peerId}/whip?source=camera")
        {
            Content = new StringContent(MeetingMediaHttpTests.PublishOffer, System.Text.Encoding.UTF8, "application/sdp"),
        };
        offer.Headers.Authorization = new("Bearer", participant.Token);
        using var response = await _media.Server.Http.SendAsync(offer);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {response.StatusCode}: {body}");
        Assert.Contains("you are not on the stage", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString());
    }
}
