using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Rooms;

/// <summary>A group of connected meetings: the parent and its rooms.</summary>
public sealed record ConnectedMeetingsView(ConnectedMeetingView Parent, IReadOnlyList<ConnectedMeetingView> Rooms);

/// <summary>A meeting of a group and the participants in it (or on their way into it).</summary>
public sealed record ConnectedMeetingView(string Id, string Title, IReadOnlyList<ConnectedMeetingMember> Members);

/// <summary>A participant in a meeting of a group, under the name it goes by there.</summary>
public sealed record ConnectedMeetingMember(Participant Participant, string? Name);
