namespace Stagecast.Testing.RealtimeKit;

// What the app page reads of its client through the SDK's public API (app.html's state() and uiKit()): one snapshot
// and the records it is made of, kept together as the one shape the page answers in.

/// <summary>
/// A snapshot of one client: itself, who is in the meeting and waiting, who spoke last (a peer id: meeting.participants.lastActiveSpeaker),
/// chat, polls, livestream (LIVESTREAM view type only), recording, the events meeting.stage emitted so far, the app messages
/// received, the errors that reached the page uncaught, meeting.ai's transcripts (and how many <c>transcript</c> events it emitted),
/// the meeting it is in (meeting.meta.meetingId) and how many times a move to another connected meeting gave the page a new client.
/// </summary>
public sealed record RtkState(
    RtkSelf Self,
    IReadOnlyList<RtkParticipant> Participants,
    IReadOnlyList<RtkWaiter> Waitlisted,
    string? ActiveSpeaker,
    IReadOnlyList<RtkChatMessage> Chat,
    IReadOnlyList<RtkPoll> Polls,
    RtkLivestream? Livestream,
    string RecordingState,
    IReadOnlyList<string> StageEvents,
    IReadOnlyList<RtkBroadcast> Broadcasts,
    IReadOnlyList<string> Uncaught,
    IReadOnlyList<RtkTranscript> Transcripts,
    int TranscriptEvents,
    string MeetingId,
    int MeetingChanges);

/// <summary>meeting.connectedMeetings as the SDK holds it: the parent meeting and its breakout rooms, each with who is in it.</summary>
public sealed record RtkConnectedMeetings(RtkConnectedMeeting Parent, IReadOnlyList<RtkConnectedMeeting> Meetings);

public sealed record RtkConnectedMeeting(string? Id, string? Title, IReadOnlyList<RtkConnectedPeer> Participants);

/// <summary>Someone in a connected meeting: its participant id there, and name.</summary>
public sealed record RtkConnectedPeer(string? Id, string? DisplayName);

/// <summary>A meeting connectedMeetings.createMeetings made.</summary>
public sealed record RtkCreatedMeeting(string Id, string Title);

/// <summary>A line of meeting.ai.transcripts: who said it (peer, participant, custom id, name), the words, and when (ISO 8601).</summary>
public sealed record RtkTranscript(string PeerId, string UserId, string CustomParticipantId, string Name, string Transcript, bool IsPartialTranscript, string Date);

/// <summary>An app message as participants' <c>broadcastedMessage</c> gave it (its payload as JSON text).</summary>
public sealed record RtkBroadcast(string Type, string Payload);

/// <summary>
/// meeting.self: its peer id, participant id (userId), roomState (init, joined, waitlisted, left, kicked...),
/// waitlistStatus, and meeting.stage.status (OFF_STAGE, REQUESTED_TO_JOIN_STAGE, ACCEPTED_TO_JOIN_STAGE, ON_STAGE).
/// </summary>
public sealed record RtkSelf(
    string Id, string UserId, string Name, string RoomState, string WaitlistStatus, bool VideoEnabled, bool AudioEnabled, bool ScreenShareEnabled, string? StageStatus);

/// <summary>
/// A joined remote participant: whether its tracks are live, how many frames its registered video element decoded,
/// and at what width it shows them now, whether it shares its screen and how many frames of that a video element of
/// the page decoded.
/// </summary>
public sealed record RtkParticipant(
    string Id, string UserId, string Name, bool VideoEnabled, bool AudioEnabled, bool VideoLive, bool AudioLive, long FramesDecoded, bool ScreenShareEnabled,
    long ScreenFramesDecoded, int FrameWidth, string? StageStatus);

/// <summary>A participant in the waiting room, as a host sees it (accept or deny it by <paramref name="Id"/>).</summary>
public sealed record RtkWaiter(string Id, string UserId, string Name);

/// <summary>A chat message (<paramref name="Message"/> for the text type).</summary>
public sealed record RtkChatMessage(string Id, string Type, string UserId, string DisplayName, string? Message);

public sealed record RtkPoll(string Id, string Question, string CreatedBy, IReadOnlyList<RtkPollOption> Options);

public sealed record RtkPollOption(string Text, long Count);

/// <summary>meeting.livestream: state (IDLE, STARTING, LIVESTREAMING, STOPPING...), playbackUrl and viewerCount.</summary>
public sealed record RtkLivestream(string State, string? PlaybackUrl, long ViewerCount);

/// <summary>
/// What &lt;rtk-meeting&gt; shows: its participant tiles, their names, how many remote ones play video, and the text of
/// its captions (each &lt;rtk-transcript&gt;: "name: words"); and, to say why when it shows none, which of its screens
/// (idle, setup, waiting, ended) are up, the client's room state, the state the UI kit last said it shows, its
/// components still loading and what reached the page uncaught.
/// </summary>
public sealed record RtkUiKit(int Tiles, IReadOnlyList<string?> Names, int PlayingRemoteVideos, IReadOnlyList<string> Captions,
    IReadOnlyList<string> Screens, string? RoomState, string? State, IReadOnlyList<string> Loading, IReadOnlyList<string> Uncaught)
{
    /// <summary>All of it, lists spelled out, for a failure's message.</summary>
    public override string ToString() =>
        $"{Tiles} tiles [{string.Join(", ", Names)}], {PlayingRemoteVideos} remote videos playing, captions [{string.Join(" | ", Captions)}], " +
        $"screens [{string.Join(", ", Screens)}], room state {RoomState ?? "none"}, " +
        $"UI kit state {State ?? "none"}, loading [{string.Join(", ", Loading)}], uncaught [{string.Join(" | ", Uncaught)}]";
}

/// <summary>A participant's current video track as the page sees it: a number per track object (0: none) and the frames decoded of it.</summary>
public sealed record RtkVideo(string Id, int Serial, long Frames);

/// <summary>The plugins active on a page (by the app's ids), and how many plugin frames it shows.</summary>
public sealed record RtkPlugins(IReadOnlyList<string> Active, int Shown);

/// <summary>A picture on the page: its address and the width it decoded to (0 until it has).</summary>
public sealed record RtkImage(string Src, int NaturalWidth);

/// <summary>Some of a participant's permissions as its SDK holds them (<c>meeting.self.permissions</c>), and how many <c>permissionsUpdate</c> it heard.</summary>
public sealed record RtkPermissions(bool ChatCanSend, bool PollsCanCreate, string CanProduceAudio, int Updates);

/// <summary>
/// A page's media statistics (WebRTC's, summed over its connections): video received (frames decoded, the widest frame,
/// seconds frozen, bytes, and the packets repaired on a retransmission stream: <c>retransmittedPacketsReceived</c>, which
/// counts RTX only) and audio packets received and lost.
/// </summary>
public sealed record RtkMediaStats(long FramesDecoded, int FrameWidth, double FreezesSeconds, long VideoBytes, long AudioPackets, long AudioPacketsLost,
    long VideoRetransmissions);

/// <summary>
/// One encoding (a simulcast layer, by its rid) of the video a page sends, from its outbound-rtp statistics: what limits
/// its quality (<c>none</c>, <c>bandwidth</c>, <c>cpu</c>), frames encoded, the widest frame, bytes sent.
/// </summary>
public sealed record RtkVideoSent(string Rid, string QualityLimitationReason, long FramesEncoded, int FrameWidth, long BytesSent);
