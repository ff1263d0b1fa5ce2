using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>A room stream of the meeting started: told to the meeting's room.</summary>
public sealed record RoomStreamStarted(RoomStreamView Stream) : RoomEvent;

/// <summary>A room stream of the meeting ended (stopped, or its session ended).</summary>
public sealed record RoomStreamEnded(RoomStreamView Stream) : RoomEvent;
