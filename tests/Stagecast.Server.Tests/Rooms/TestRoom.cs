using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Tests.Rooms;

/// <summary>
/// A room as its components and its router see it (<see cref="IRoomPresence"/>, <see cref="IMediaRoom"/>), with no
/// server: a list of peers, each served by a <see cref="Listener"/> that keeps what it is told, a session id, a fake
/// clock, and what the router set of its peers' media. As LiveKit tests its room with fake participants.
/// </summary>
internal sealed class TestRoom : IMediaRoom
{
    private readonly List<string> _media = [];

    private static readonly IReadOnlyList<Preset> Presets = DefaultPresets.For("app", DateTimeOffset.UnixEpoch);
    private readonly List<RoomPeer> _peers = [];

    public string MeetingId { get; } = "meeting-1";

    public string? SessionId { get; set; } = "session-1";

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));

    public IReadOnlyList<RoomPeer> Peers
    {
        get
        {
            lock (_peers)
            {
                return [.. _peers];
            }
        }
    }

    /// <summary>The permissions of a default preset (<c>group_call_host</c>, <c>webinar_viewer</c>, ...).</summary>
    public static PresetPermissions PresetOf(string name) => Presets.Single(p => p.Name == name).Effective;

    /// <summary>A new participant's peer in the room, with a default preset's permissions or <paramref name="permissions"/>.</summary>
    public (RoomPeer Peer, Listener Client) Add(string name, string preset = "group_call_host", PresetPermissions? permissions = null)
    {
        var participant = new Participant($"participant-{name}", MeetingId, "app", name, $"preset-{preset}", preset, name, null, "token", Clock.GetUtcNow(), Clock.GetUtcNow());
        var client = new Listener(participant, permissions ?? PresetOf(preset));
        var peer = new RoomPeer($"peer-{name}", participant, client.Permissions, name, Clock.GetUtcNow()) { Client = client };
        peer.Stage = RoomStage.EntryStage(peer.Permissions);
        lock (_peers)
        {
            _peers.Add(peer);
        }

        return (peer, client);
    }

    /// <summary>The peer is gone from the room (as the room removes it before telling its components).</summary>
    public void Remove(RoomPeer peer)
    {
        lock (_peers)
        {
            _peers.Remove(peer);
        }
    }

    public void Publish(RoomEvent change, RoomPeer? except, Func<RoomPeer, bool>? to)
    {
        foreach (var peer in Peers.Where(p => p != except && (to is null || to(p))))
        {
            peer.Notify(change);
        }
    }

    /// <summary>What the router set of the peers' media, in order: <c>muted peer audio video</c>, <c>publishes peer a v s</c>, <c>speaks peer</c>.</summary>
    public IReadOnlyList<string> Media
    {
        get
        {
            lock (_media)
            {
                return [.. _media];
            }
        }
    }

    public Task SetMutedAsync(RoomPeer peer, bool? audioEnabled, bool? videoEnabled) =>
        Note($"muted {peer.Name} {audioEnabled?.ToString() ?? "-"} {videoEnabled?.ToString() ?? "-"}");

    public Task SetPeerMediaAsync(RoomPeer peer, bool audio, bool video, bool screenshare) => Note($"publishes {peer.Name} {audio} {video} {screenshare}");

    public void SetActiveSpeaker(string peerId) => Note($"speaks {peerId}");

    private Task Note(string what)
    {
        lock (_media)
        {
            _media.Add(what);
        }

        return Task.CompletedTask;
    }

    /// <summary>A front end of the test's own: one connection, keeping what it is told.</summary>
    public sealed class Listener(Participant participant, PresetPermissions permissions) : IRoomClient
    {
        private readonly List<RoomEvent> _heard = [];

        public Participant Participant { get; } = participant;

        public PresetPermissions Permissions { get; } = permissions;

        public void Notify(RoomPeer peer, RoomEvent change)
        {
            lock (_heard)
            {
                _heard.Add(change);
            }
        }

        public List<T> Heard<T>()
            where T : RoomEvent
        {
            lock (_heard)
            {
                return [.. _heard.OfType<T>()];
            }
        }
    }
}
