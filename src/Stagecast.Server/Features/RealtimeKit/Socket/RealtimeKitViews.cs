using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Chat;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.RealtimeKit.Protocol.Plugins;
using Stagecast.RealtimeKit.Protocol.Polls;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using ChatMessage = Stagecast.RealtimeKit.Protocol.Chat.ChatMessage;
using Poll = Stagecast.RealtimeKit.Protocol.Polls.Poll;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// The meeting room's model in RealtimeKit's messages, as one client sees it: its own peer under the id its client
/// gave itself (<paramref name="selfPeerId"/>), every other under its room id; times in seconds where the client
/// expects seconds; a file in chat under a download link signed as it is shown; a poll's creator by the display name
/// <paramref name="pollCreatorName"/> gives.
/// </summary>
public sealed class RealtimeKitViews(RoomPeer? self, string selfPeerId, string viewerParticipantId, MeetingSessions.ChatFiles files, Func<MeetingSessions.Poll, string?>? pollCreatorName = null)
{
    private static readonly byte[] JsonNull = "null"u8.ToArray();

    public string IdOf(RoomPeer peer) => ReferenceEquals(peer, self) ? selfPeerId : peer.Id;

    /// <summary>The id this client knows a room peer by, from the room's id of it.</summary>
    public string IdOf(string roomPeerId) => roomPeerId == self?.Id ? selfPeerId : roomPeerId;

    /// <summary>A peer as room events show it, with its place on the stage (the client consumes the media of peers on it).</summary>
    public Peer Peer(RoomPeer peer, bool waitlisted = false) => new()
    {
        PeerId = IdOf(peer),
        UserId = peer.Participant.Id,
        DisplayName = peer.Name ?? "",
        StageType = StageOf(peer.Stage),
        CustomParticipantId = peer.Participant.CustomParticipantId,
        PresetId = peer.Participant.PresetId,
        Waitlisted = waitlisted,
        Flags = new PeerFlags { PresetName = peer.Participant.PresetName ?? "", RecorderType = "NONE", HiddenParticipant = peer.Hidden },
    };

    public static StageType StageOf(StageStatus stage) => stage switch
    {
        StageStatus.OnStage => StageType.OnStage,
        StageStatus.Approved => StageType.ApprovedStage,
        StageStatus.Requested => StageType.RequestedStage,
        _ => StageType.OffStage,
    };

    /// <summary>A peer's place on the stage as room event 38 says it (to others, and in answer to its own join and leave).</summary>
    public PeerStatusUpdate StageUpdate(RoomPeer peer, StageStatus stage) => new() { PeerId = IdOf(peer), UserId = peer.Participant.Id, StageType = StageOf(stage) };

    /// <summary>Who asks for the stage, oldest first, as a host's client lists them.</summary>
    public GetStageRequestsResponse StageRequests(IEnumerable<RoomPeer> requests) => new()
    {
        StageRequests = { requests.Select(p => new StageRequest { PeerId = IdOf(p), UserId = p.Participant.Id, DisplayName = p.Name ?? "" }) },
    };

    public RoomParticipants Participant(RoomPeer peer) => new()
    {
        PeerId = IdOf(peer),
        DisplayName = peer.Name ?? "",
        UserId = peer.Participant.Id,
    };

    public ChatMessage Chat(MeetingSessions.ChatMessage message)
    {
        return new()
        {
            ChatId = message.Id,
            PeerId = message.PeerId is { } peerId ? IdOf(peerId) : "",
            UserId = message.ParticipantId,
            DisplayName = message.DisplayName ?? "",
            Pinned = message.Pinned,
            IsEdited = message.IsEdited,
            PayloadType = message.PayloadType switch { "image" => 1, "file" => 2, _ => 0 }, // IMAGE: the link; FILE: {link, name, size}; TEXT
            Payload = files.Shown(message),
            CreatedAt = (ulong)message.CreatedAt.ToUnixTimeSeconds(),
            CreatedAtMs = (ulong)message.CreatedAt.ToUnixTimeMilliseconds(),
            TargetUserIds = { message.TargetUserIds ?? [] },
        };
    }

    public Poll Poll(MeetingSessions.Poll poll)
    {
        var view = PollView.For(poll, viewerParticipantId);
        var message = new Poll
        {
            PollId = view.Id,
            CreatedBy = pollCreatorName?.Invoke(poll) ?? "", // the name the UI kit shows ("Poll by Ada")
            CreatedByUserId = poll.CreatedBy ?? "",
            Question = view.Question,
            HideVotes = view.HideVotes,
            Anonymous = view.Anonymous,
        };
        message.Votes.AddRange(view.Voted);
        foreach (var option in view.Options)
        {
            var entry = new PollOption { Text = option.Text, Count = (ulong)option.Count };
            entry.Votes.AddRange(option.Votes.Select(v => new PollVote { UserId = v.Id, Name = v.Name ?? "" }));
            message.Options.Add(entry);
        }

        return message;
    }

    public static WaitingRoomRequest Waiter(WaitlistedView waiter) => new()
    {
        PeerId = waiter.Id,
        UserId = waiter.Id, // the host accepts and denies by user_ids: the waitlist's id of the request
        DisplayName = waiter.Name ?? "",
        CustomParticipantId = waiter.CustomParticipantId,
        PresetName = waiter.PresetName ?? "",
    };

    public static LiveStreamingEvent Livestream(Livestreams.LivestreamView livestream, string? error, string? sessionId) => new()
    {
        LivestreamId = livestream.Record.Id,
        ErrMessage = error ?? "",
        Name = livestream.Record.Name ?? "",
        MeetingId = livestream.Record.MeetingId ?? "",
        PlaybackUrl = livestream.PlaybackUrl,
        Status = Livestreams.LivestreamDto.StatusText(livestream.Status),
        RoomUuid = sessionId ?? "",
        ManualIngest = livestream.Record.ManualIngest,
    };

    /// <summary>A plugin open in the meeting, as a key of <c>__rtk_plugins__</c>: its descriptor, under its opener.</summary>
    public PluginStoreItem PluginItem(ActivePlugin plugin) => StoreItem(new PluginStoreEntry(plugin.Id, plugin.Descriptor, plugin.OpenedBy, plugin.OpenedAt));

    /// <summary>A plugin closed (or never open), as a key of <c>__rtk_plugins__</c>: <c>null</c>, under who closed it.</summary>
    public PluginStoreItem ClosedPlugin(string pluginId, string by, DateTimeOffset at) => StoreItem(new PluginStoreEntry(pluginId, JsonNull, by, at));

    /// <summary>A key of a plugin's store; its value is wrapped, not copied (the room never changes a stored array).</summary>
    public PluginStoreItem StoreItem(PluginStoreEntry item) => new()
    {
        StoreKey = item.Key,
        Payload = UnsafeByteOperations.UnsafeWrap(item.Payload),
        PeerId = IdOf(item.PeerId),
        Timestamp = item.At.ToString("O", CultureInfo.InvariantCulture),
    };
}
