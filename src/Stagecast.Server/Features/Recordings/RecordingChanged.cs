using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Recordings;

/// <summary>To the peers of a meeting's room: one of its recordings changed status (started, paused, stopped, stored).</summary>
public sealed record RecordingChanged(Recording Recording) : RoomEvent;
