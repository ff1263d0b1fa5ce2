using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// One stage, two front ends, in process: a host on RealtimeKit's socket runs the stage of an attendee on Stagecast's
/// JSON channel (stagecast.js). The attendee's request reaches the host's list, the host's grant and kick reach the
/// attendee, and the attendee on the stage publishes over WHIP to a host who hears of its producer. (A channel host
/// bringing a RealtimeKit viewer on the stage is in <see cref="StageProgramTests"/>.)
/// </summary>
public sealed class MixedStageTests : IAsyncLifetime
{
    private MeetingMediaServer _media = null!;

    public async Task InitializeAsync() => _media = await MeetingMediaServer.StartAsync();

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task ARealtimeKitHostRunsTheStageOfAStagecastJsAttendee()
    {
        string meeting = await _media.Api.CreateMeetingAsync();
        var host = await _media.Api.AddParticipantAsync(meeting, "host", "webinar_host");
        var attendee = await _media.Api.AddParticipantAsync(meeting, "attendee", "webinar_viewer");
        var hana = await _media.JoinRealtimeKitAsync(host);
        var (ada, adaPeer) = await _media.JoinChannelAsync(attendee);
        string hanaPeer = _media.PeerOf(meeting, host).Id;

        // Ada asks on the channel; the host's socket is pushed the request list (room event 12) with her in it.
        await ada.OkAsync("stage_request");
        await hana.Socket.WaitForAsync(m => m.Event == Events.Room.GetStageRequests
            && GetStageRequestsResponse.Parser.ParseFrom(m.Payload).StageRequests.Any(r => r.PeerId == adaPeer && r.UserId == attendee.Id));

        // The host grants by user id (room event 15, which the SDK sends unanswered): Ada is approved, by the host's
        // peer, and joins the stage.
        hana.Socket.Send(Events.Room.GrantStageAccess, new GrantStageAccessRequest { UserIds = { attendee.Id } }, out var sent);
        await sent;
        await StageUpdatedAsync(ada, adaPeer, "APPROVED", "granted", hanaPeer);
        await ada.OkAsync("stage_join");
        await hana.Socket.WaitForAsync(m => m.Event == Events.Room.PeerStageStatusUpdate && IsOn(m, adaPeer, StageType.OnStage));

        // On the stage she publishes over WHIP, and the host's socket is told of her camera as it flows.
        var camera = RtpSender.H264(await _media.PublishAsync(attendee, adaPeer));
        await MeetingMediaServer.WhileSendingAsync(camera.Send, () => hana.ProducersAnnounced(ProducerKind.Video).Any(), "the host told of Ada's camera");

        // The host sends her off (room event 19): the channel hears it, and her producers end.
        RealtimeKitMediaClient.Ok(await hana.Socket.RequestAsync(Events.Room.LeaveStage, new LeaveStageRequest { UserIds = { attendee.Id } }));
        await StageUpdatedAsync(ada, adaPeer, "OFF_STAGE", "kicked", hanaPeer);
        var router = _media.Router(meeting);
        await Eventually.TrueAsync(() => router.ProducersOf(_media.PeerOf(meeting, attendee)).Count == 0, "Ada's producers to end");
    }

    private static bool IsOn(SocketMessage message, string peerId, StageType stage)
    {
        var update = PeerStatusUpdate.Parser.ParseFrom(message.Payload);
        return update.PeerId == peerId && update.StageType == stage;
    }

    private static async Task StageUpdatedAsync(RealtimeTestClient client, string peerId, string status, string change, string by)
    {
        var updated = await client.WaitForEventAsync("stage_updated", m => m.GetProperty("peer").GetProperty("id").GetString() == peerId && m.GetProperty("change").GetString() == change);
        Assert.Equal((status, by), (updated.GetProperty("peer").GetProperty("stage_status").GetString(), updated.GetProperty("by").GetString()));
    }
}
