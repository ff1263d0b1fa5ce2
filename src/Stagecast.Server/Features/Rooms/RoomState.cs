using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingSessions;

namespace Stagecast.Server.Features.Rooms;

/// <summary>What a peer sees of its room when it enters (<see cref="MeetingRoom.StateForAsync"/>).</summary>
/// <param name="Peers">The others present, hidden ones left out.</param>
/// <param name="Chat">The chat history, oldest first; empty when the peer may not receive chat.</param>
/// <param name="Polls">The session's polls (each seen through <see cref="PollView.For"/>); empty when the peer may not see polls.</param>
/// <param name="Livestream">The meeting's active livestream, if any.</param>
/// <param name="Waitlisted">Who waits to be let in; empty when the peer may not accept waiting requests.</param>
/// <param name="StageRequests">Who asks for the stage, oldest first; empty when the peer may not accept stage requests.</param>
public sealed record RoomState(
    IReadOnlyList<RoomPeer> Peers,
    IReadOnlyList<ChatMessage> Chat,
    IReadOnlyList<Poll> Polls,
    LivestreamView? Livestream,
    IReadOnlyList<WaitlistedView> Waitlisted,
    IReadOnlyList<RoomPeer> StageRequests);
