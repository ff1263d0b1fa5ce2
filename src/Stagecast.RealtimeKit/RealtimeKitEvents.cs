namespace Stagecast.RealtimeKit;

/// <summary>
/// The <see cref="Protocol.SocketMessage.Event"/> numbers of the flows Stagecast serves, from the event tables of
/// RealtimeKit's web SDK (2.0.2, the same in 1.5.1). A socket namespace's events are
/// <c>(namespace &lt;&lt; 16) + n</c>; the media room's are <c>0x03000000 | n</c> (<c>0x01000000</c> is the legacy
/// SFU, which 2.x does not use). A reply carries its request's event; the names are the SDK's.
/// </summary>
public static class RealtimeKitEvents
{
    /// <summary>The socket server's error reply: payload <see cref="Protocol.ErrorMessage"/>.</summary>
    public const uint Error = 65535;

    /// <summary>Namespace 0: the room, its peers, the waiting room, livestream and recording state.</summary>
    public static class Room
    {
        public const uint GetPeerInfo = 0;
        public const uint GetRoomPeersInfo = 2;
        public const uint JoinRoom = 3;
        public const uint LeaveRoom = 4;
        public const uint GetRoomInfo = 5;
        public const uint StartedLivestream = 8;
        public const uint StoppedLivestream = 9;
        public const uint ErroredLivestream = 10;
        public const uint GetStagePeers = 11;
        public const uint GetStageRequests = 12;
        public const uint RequestStageAccess = 13;
        public const uint CancelStageRequest = 14;
        public const uint GrantStageAccess = 15;
        public const uint DenyStageAccess = 16;
        public const uint RoomPeerCount = 17;
        public const uint JoinStage = 18;
        public const uint LeaveStage = 19;
        public const uint GetConnectedRoomsDump = 20;

        /// <summary>A host makes breakout rooms (<see cref="Protocol.Rooms.CreateConnectedRoomsRequest"/>).</summary>
        public const uint CreateConnectedRooms = 21;

        /// <summary>A host closes breakout rooms (<see cref="Protocol.Rooms.DisableConnectedRoomsRequest"/>).</summary>
        public const uint DeleteConnectedRooms = 22;

        /// <summary>A participant is moved between meetings of a group (<see cref="Protocol.Rooms.MovePeersBetweenRoomsRequest"/>).</summary>
        public const uint MovePeers = 23;

        /// <summary>Pushed to a moved peer: the meeting to join and its token there (<see cref="Protocol.Rooms.TransferPeer"/>).</summary>
        public const uint TransferPeer = 24;

        /// <summary>Pushed to the peers of a group when rooms were made (<see cref="Protocol.Rooms.CreateConnectedRoomsResponse"/>).</summary>
        public const uint ConnectedRoomsUpdated = 26;

        /// <summary>Pushed to the peers of a group when rooms were closed (<see cref="Protocol.Rooms.DisableConnectedRoomsResponse"/>).</summary>
        public const uint ConnectedRoomsDeleted = 27;

        /// <summary>An app message to the whole meeting (<see cref="Protocol.Rooms.BroadcastMessage"/>).</summary>
        public const uint BroadcastMessage = 29;
        public const uint Kick = 30;
        public const uint KickAll = 31;

        /// <summary>A line of the live transcript, pushed (<see cref="Protocol.Ai.MeetingTranscript"/>).</summary>
        public const uint Transcript = 32;
        public const uint GetWaitingRoomRequests = 33;
        public const uint AcceptWaitingRoomRequests = 34;
        public const uint WaitingRoomRequestAccepted = 35;
        public const uint DenyWaitingRoomRequests = 36;
        public const uint WaitingRoomRequestDenied = 37;
        public const uint PeerStageStatusUpdate = 38;

        /// <summary>An app message to chosen peers (or meetings) of <see cref="Protocol.Rooms.BroadcastMessage.Ids"/>.</summary>
        public const uint BroadcastToEntity = 39;
        public const uint RecordingStarted = 40;
        public const uint RecordingStopped = 41;
        public const uint RecordingPaused = 42;
        public const uint GetRoomStageState = 43;
        public const uint LivestreamingInvoked = 44;
    }

    /// <summary>Namespace 1.</summary>
    public static class Chat
    {
        public const uint GetMessages = (1 << 16) + 0;
        public const uint SendMessageToRoom = (1 << 16) + 1;
        public const uint SendMessageToPeers = (1 << 16) + 2;
        public const uint EditMessage = (1 << 16) + 3;
        public const uint DeleteMessage = (1 << 16) + 4;
        public const uint GetPaginatedMessages = (1 << 16) + 5;
        public const uint PinMessage = (1 << 16) + 10;
    }

    /// <summary>Namespace 2: the plugin key-value stores.</summary>
    public static class Plugins
    {
        public const uint GetPlugins = (2 << 16) + 0;
        public const uint AddPlugin = (2 << 16) + 1;
        public const uint RemovePlugin = (2 << 16) + 6;
        public const uint CustomPluginEventToRoom = (2 << 16) + 7;
        public const uint CustomPluginEventToPeers = (2 << 16) + 8;
        public const uint StoreInsertKeys = (2 << 16) + 9;
        public const uint StoreGetKeys = (2 << 16) + 10;
        public const uint StoreDeleteKeys = (2 << 16) + 11;
        public const uint StoreDelete = (2 << 16) + 12;
    }

    /// <summary>Namespace 3.</summary>
    public static class Polls
    {
        public const uint CreatePoll = (3 << 16) + 0;
        public const uint GetPolls = (3 << 16) + 1;
        public const uint VotePoll = (3 << 16) + 2;
        public const uint UpdatePoll = (3 << 16) + 3;
    }

    /// <summary>Namespace 5: a host changing others' permissions (its request, answer and push: socket.preset).</summary>
    public static class Presets
    {
        public const uint GetUserPresets = (5 << 16) + 0;
        public const uint UpdateUserPreset = (5 << 16) + 1;
    }

    /// <summary>The media room (the SFU's signalling): <c>0x03000000 | n</c>.</summary>
    public static class Media
    {
        public const uint CreateWebRtcTransport = 0x03000000 | 1;
        public const uint Produce = 0x03000000 | 2;
        public const uint Consume = 0x03000000 | 3;
        public const uint ToggleProducer = 0x03000000 | 4;
        public const uint CloseProducer = 0x03000000 | 6;
        public const uint CloseConsumer = 0x03000000 | 7;
        public const uint UpdateConsumersSimulcastConfig = 0x03000000 | 8;
        public const uint JoinRoom = 0x03000000 | 16;
        public const uint LeaveRoom = 0x03000000 | 17;
        public const uint SelectedPeer = 0x03000000 | 18;
        public const uint SelfJoinComplete = 0x03000000 | 20;
        public const uint PeerJoinedBroadcast = 0x03000000 | 25;
        public const uint PeerLeaveBroadcast = 0x03000000 | 26;
        public const uint PeerProducerCreateBroadcast = 0x03000000 | 27;
        public const uint PeerProducerToggleBroadcast = 0x03000000 | 28;
        public const uint PeerProducerCloseBroadcast = 0x03000000 | 29;
        public const uint MediaRoomTerminationBroadcastResponse = 0x03000000 | 36;
        public const uint SelectedPeerDiff = 0x03000000 | 40;
        public const uint RenegotiateSessionDescription = 0x03000000 | 50;

        /// <summary>The media room's error reply: payload <see cref="Protocol.Media.ErrorResponse"/>.</summary>
        public const uint ErrorResponse = 0x03000000 | 60;

        /// <summary>A host turns one peer's media off (<c>HostMediaControlForPeerRequest</c>).</summary>
        public const uint HostControlPeer = 0x03000000 | 93;

        /// <summary>A host turns every other peer's media off (<c>HostMediaControlForAllPeerRequest</c>).</summary>
        public const uint HostControlAllPeers = 0x03000000 | 94;

        public const uint AudioActivity = 0x03000000 | 100;
    }
}
