using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Ai;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Plugins;
using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Transcription;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>The room's events as RealtimeKit's pushes (event and message, no id) to one client (the study's section 3.2).</summary>
public static class RealtimeKitPushes
{
    public static IEnumerable<(uint Event, IMessage Payload)> For(RealtimeKitViews views, RoomPeer self, RoomEvent change, string? sessionId)
    {
        switch (change)
        {
            case PeerJoined joined:
                yield return (Events.Room.JoinRoom, new PeerInfoResponse { Peer = views.Peer(joined.Peer) });
                yield return (Events.Media.PeerJoinedBroadcast, new PeerJoinBroadcastResponse { Participant = views.Participant(joined.Peer) });
                break;
            case PeerLeft left:
                yield return (Events.Media.PeerLeaveBroadcast, new PeerLeaveBroadcastResponse { ParticipantId = views.IdOf(left.Peer) });
                yield return (Events.Room.LeaveRoom, new PeerInfoResponse { Peer = views.Peer(left.Peer) });
                break;
            case ChatPosted posted:
                yield return posted.Message.TargetUserIds is null
                    ? (Events.Chat.SendMessageToRoom, new Stagecast.RealtimeKit.Protocol.Chat.SendChatMessageToRoomResponse { Message = views.Chat(posted.Message) })
                    : (Events.Chat.SendMessageToPeers, new Stagecast.RealtimeKit.Protocol.Chat.SendChatMessageToPeersResponse { Message = views.Chat(posted.Message) });
                break;
            case ChatChanged changed when !ReferenceEquals(changed.By, self): // the one who changed it has the answer
                yield return changed.Change switch
                {
                    ChatChange.Edited => (Events.Chat.EditMessage, new Stagecast.RealtimeKit.Protocol.Chat.EditChatMessageResponse { Message = views.Chat(changed.Message) }),
                    ChatChange.Pinned => (Events.Chat.PinMessage, new Stagecast.RealtimeKit.Protocol.Chat.PinChatMessageResponse
                    {
                        ChatId = changed.Message.Id,
                        Pinned = changed.Message.Pinned,
                        Message = views.Chat(changed.Message),
                    }),
                    _ => (Events.Chat.DeleteMessage, new Stagecast.RealtimeKit.Protocol.Chat.DeleteChatMessageResponse { ChatId = changed.Message.Id }),
                };
                break;
            case AppMessageSent sent:
                yield return (sent.ToChosenPeers ? Events.Room.BroadcastToEntity : Events.Room.BroadcastMessage, RealtimeKitClient.Wire(sent.Message));
                break;
            case ConnectedRoomsUpdated made:
                yield return (Events.Room.ConnectedRoomsUpdated, RealtimeKitClient.Rooms(made.Rooms));
                break;
            case ConnectedRoomsDeleted closed:
                yield return (Events.Room.ConnectedRoomsDeleted, RealtimeKitClient.Closed(closed.Rooms));
                break;
            case ConnectedMeetingsChanged changed:
                yield return (Events.Room.GetConnectedRoomsDump, RealtimeKitClient.Dump(changed.Group));
                break;
            case TransferredTo transfer: // to the moving peer only (MeetingRoom.MoveOutAsync)
                yield return (Events.Room.TransferPeer, new TransferPeer { MeetingId = transfer.MeetingId, AuthToken = transfer.Token });
                break;
            case PollChanged changed:
                // A poll nobody voted in yet is new (a vote is what changes a poll afterwards).
                yield return (changed.Poll.Votes.Count == 0 ? Events.Polls.CreatePoll : Events.Polls.UpdatePoll,
                    new Stagecast.RealtimeKit.Protocol.Polls.UpdatePollResponse { Poll = views.Poll(changed.Poll) });
                break;
            case LivestreamChanged livestream:
                uint @event = livestream.Change switch
                {
                    MeetingLivestreamChange.Invoked => Events.Room.LivestreamingInvoked,
                    MeetingLivestreamChange.Started => Events.Room.StartedLivestream,
                    MeetingLivestreamChange.Errored => Events.Room.ErroredLivestream,
                    _ => Events.Room.StoppedLivestream,
                };
                yield return (@event, RealtimeKitViews.Livestream(livestream.Livestream, livestream.Error, sessionId));
                break;
            case RecordingChanged recording when EventOf(recording.Recording.Status) is { } recordingEvent:
                yield return (recordingEvent, new RecordingEvent
                {
                    RecordingId = recording.Recording.Id,
                    ErrMessage = recording.Recording.Error ?? "",
                    RecordingType = recording.Recording.Tracks is null ? RecordingType.Composite : RecordingType.Track,
                });
                break;
            case ActiveSpeakerChanged speaker:
                // The speaker first among the selected peers: the client makes it meeting.participants.lastActiveSpeaker.
                var entry = new SelectedPeersDiffEntry { PeerId = views.IdOf(speaker.PeerId), Priority = 1 };
                yield return (Events.Media.SelectedPeerDiff, new SelectedPeersDiffResponse { Entries = { entry } });
                break;
            case ViewerCountChanged viewers:
                yield return (Events.Room.RoomPeerCount, new RoomPeerCountResponse { Count = (ulong)Math.Max(viewers.Count, 0) });
                break;
            // A peer hears of its own producers only when someone else changed them (a host turned it off): its SDK then
            // turns the track off itself.
            case ProducerChanged producer when (!ReferenceEquals(producer.Producer.Peer, self) || producer.By is { } by && !ReferenceEquals(by, self))
                && !producer.Producer.Peer.Hidden:
                yield return RealtimeKitProducerViews.Broadcast(producer, views.IdOf(producer.Producer.Peer), producer.By is { } initiator ? views.IdOf(initiator) : null);
                break;
            case StageChanged stage when ReferenceEquals(stage.Peer, self):
                // A peer hears of its own place only when someone else moved it (its own requests are answered): a grant
                // and a denial on their own events (a 38 about itself first would make the SDK leave the stage), being
                // sent off as its status (the SDK then leaves, and its leave is answered).
                if (!ReferenceEquals(stage.By, self))
                {
                    switch (stage.Change)
                    {
                        case StageChange.Granted:
                            yield return (Events.Room.GrantStageAccess, new GrantStageAccessRequest());
                            break;
                        case StageChange.Denied:
                            yield return (Events.Room.DenyStageAccess, new DenyStageAccessRequest());
                            break;
                        case StageChange.Kicked:
                            yield return (Events.Room.PeerStageStatusUpdate, views.StageUpdate(stage.Peer, stage.Status));
                            break;
                    }
                }

                break;
            case StageChanged stage:
                yield return (Events.Room.PeerStageStatusUpdate, views.StageUpdate(stage.Peer, stage.Status));
                break;
            case StageRequestsChanged requests:
                yield return (Events.Room.GetStageRequests, views.StageRequests(requests.Requests));
                break;
            case TranscriptHeard heard:
                yield return (Events.Room.Transcript, new MeetingTranscript
                {
                    MeetingId = self.Participant.MeetingId,
                    Transcript = TranscriptFormats.SdkLine(heard.Line, views.IdOf(heard.Line.PeerId)),
                });
                break;
            case PermissionsChanged permissions:
                // The SDK merges the patch named for its own participant into its permissions (permissionsUpdate).
                yield return (Events.Presets.UpdateUserPreset, new UpdatePeersPresetResponse
                {
                    UpdatePeersPresets = { new UpdatePeerPreset { UserIds = self.Participant.Id, Patch = RealtimeKitPermissionUpdates.Updates(permissions.Patch) } },
                });
                break;
            case Kicked:
                yield return (Events.Room.Kick, new PeerInfoResponse { Peer = views.Peer(self) }); // read as the peer kicked
                break;
            // Plugins: an open or closed one as a key of __rtk_plugins__ (2.0.x) and as plugin events 1 and 6 (1.5.x);
            // a plugin frame's own event (7, 8); a store's keys set (9), deleted (11), the store wiped (12).
            case PluginActivated activated:
                yield return (Events.Plugins.StoreInsertKeys, new PluginStoreResponse
                {
                    PluginId = self.Participant.MeetingId,
                    StoreName = RealtimeKitClient.ActivePluginsStore,
                    StoreItems = { views.PluginItem(activated.Plugin) },
                });
                yield return (Events.Plugins.AddPlugin, new EnablePluginResponse { PluginId = activated.Plugin.Id, EnabledBy = views.IdOf(activated.Plugin.OpenedBy) });
                break;
            case PluginDeactivated deactivated:
                yield return (Events.Plugins.StoreInsertKeys, new PluginStoreResponse
                {
                    PluginId = self.Participant.MeetingId,
                    StoreName = RealtimeKitClient.ActivePluginsStore,
                    StoreItems = { views.ClosedPlugin(deactivated.PluginId, deactivated.By, deactivated.At) },
                });
                yield return (Events.Plugins.RemovePlugin, new DisablePluginResponse { PluginId = deactivated.PluginId, DisabledBy = views.IdOf(deactivated.By) });
                break;
            case PluginStoreChanged changed:
                yield return (changed.Deleted ? Events.Plugins.StoreDeleteKeys : Events.Plugins.StoreInsertKeys, new PluginStoreResponse
                {
                    PluginId = changed.PluginId, StoreName = changed.Store, StoreItems = { changed.Items.Select(views.StoreItem) },
                });
                break;
            case PluginEventSent sent:
                yield return (sent.ToChosenPeers ? Events.Plugins.CustomPluginEventToPeers : Events.Plugins.CustomPluginEventToRoom,
                    new PluginEventResponse { PluginId = sent.PluginId, PluginData = UnsafeByteOperations.UnsafeWrap(sent.Data) });
                break;
            case PluginStoreDropped dropped:
                yield return (Events.Plugins.StoreDelete, new PluginStoreResponse { PluginId = dropped.PluginId, StoreName = dropped.Store });
                break;
        }
    }

    /// <summary>
    /// A recording's status as RealtimeKit's events: started, paused, and stopped once it no longer records (a recording
    /// stored elsewhere says so twice, uploading then uploaded; the client is idle after either).
    /// </summary>
    private static uint? EventOf(RecordingStatus status) => status switch
    {
        RecordingStatus.Recording => Events.Room.RecordingStarted,
        RecordingStatus.Paused => Events.Room.RecordingPaused,
        RecordingStatus.Uploading or RecordingStatus.Uploaded or RecordingStatus.Errored => Events.Room.RecordingStopped,
        _ => null,
    };
}
