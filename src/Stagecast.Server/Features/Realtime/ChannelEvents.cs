using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.RoomStreams;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// The room's events as the channel writes them (docs/realtime.md), for the peer a socket serves: what a peer sees of
/// a poll and whether a livestream carries its ingest credentials depend on the peer. Null for an event the channel
/// does not show.
/// </summary>
public static class ChannelEvents
{
    public static RealtimeMessage? MessageFor(RoomPeer peer, RoomEvent change, MeetingSessions.ChatFiles files) => change switch
    {
        PeerJoined joined => new PeerJoinedMessage(PeerView.Of(joined.Peer)),
        PeerLeft left => new PeerLeftMessage(left.Peer.Id, left.Peer.Participant.Id, left.Reason),
        PeerUpdated updated => new PeerUpdatedMessage(PeerView.Of(updated.Peer)),
        ActiveSpeakerChanged speaker => new ActiveSpeakerMessage(speaker.PeerId),
        ChatPosted chat => new ChatMessageEvent(ChatView.From(chat.Message, files)),
        ChatChanged { Change: ChatChange.Deleted } deleted => new ChatDeletedMessage(deleted.Message.Id, deleted.By.Id),
        ChatChanged changed => new ChatUpdatedMessage(ChatView.From(changed.Message, files)),
        AppMessageSent sent => BroadcastMessageEvent.From(sent.Message),
        PollChanged poll => new PollUpdatedMessage(PollView.For(poll.Poll, poll.Poll.HideVotes ? peer.Participant.Id : null)),
        WaiterAdded waiter => new WaitlistAddedMessage(waiter.Waiter),
        WaiterRemoved removed => new WaitlistRemovedMessage(removed.WaitlistId, removed.Reason),
        LivestreamChanged livestream => LivestreamMessage(livestream, LivestreamChannelView.From(livestream.Livestream, peer.Permissions.CanLivestream)),
        ViewerCountChanged viewers => new ViewerCountMessage(viewers.LivestreamId, viewers.Count),
        RoomStreamStarted stream => new StreamStartedMessage(stream.Stream),
        RoomStreamEnded stream => new StreamEndedMessage(stream.Stream),
        Recordings.RecordingChanged recording when RecordingChannelView.Of(recording.Recording) is { } view => new RecordingUpdatedMessage(view),
        StageChanged stage => new StageUpdatedMessage(PeerView.Of(stage.Peer) with { StageStatus = stage.Status.Name() }, stage.Change.ToString().ToLowerInvariant(), stage.By?.Id),
        StageRequestsChanged requests => new StageRequestsMessage(StageRequestView.Of(requests.Requests)),
        Transcription.TranscriptHeard heard => TranscriptMessage.From(heard.Line),
        PluginActivated activated => new PluginActivatedMessage(PluginView.Of(activated.Plugin)),
        PluginDeactivated deactivated => new PluginDeactivatedMessage(deactivated.PluginId, deactivated.By),
        PluginStoreChanged changed => new PluginStoreUpdatedMessage(changed.PluginId, changed.Store, [.. changed.Items.Select(PluginStoreItemView.Of)], changed.Deleted),
        PluginStoreDropped dropped => new PluginStoreDeletedMessage(dropped.PluginId, dropped.Store),
        PermissionsChanged changed => new PermissionsUpdatedMessage(ChannelPermissions.Of(peer.Permissions), changed.By.Id),
        ConnectedRoomsUpdated made => new ConnectedMeetingsCreatedMessage(ConnectedRoomView.Of(made.Rooms)),
        ConnectedRoomsDeleted closed => new ConnectedMeetingsDeletedMessage(ConnectedRoomView.Of(closed.Rooms)),
        MeetingMedia.DownlinkChanged downlink => new DownlinkMessage(downlink.PausedVideos),
        ConnectedMeetingsChanged changed => new ConnectedMeetingsUpdatedMessage(ConnectedMeetingChannelView.Of(changed.Group.Parent), ConnectedMeetingChannelView.Of(changed.Group.Rooms)),
        _ => null,
    };

    private static LivestreamMessage LivestreamMessage(LivestreamChanged change, LivestreamChannelView view) => change.Change switch
    {
        MeetingLivestreamChange.Invoked => new LivestreamInvokedMessage(view, change.Error),
        MeetingLivestreamChange.Started => new LivestreamStartedMessage(view, change.Error),
        MeetingLivestreamChange.Errored => new LivestreamErroredMessage(view, change.Error),
        _ => new LivestreamStoppedMessage(view, change.Error),
    };
}
