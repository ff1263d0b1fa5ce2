using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>
/// Opens the meeting sockets of both front ends and holds what they share: the upgrade (HTTP/1.1's GET and HTTP/2's
/// extended CONNECT), the join deadline (a socket that starts nothing within <see cref="MeetingSocketOptions.JoinTimeout"/>
/// is closed), a bound on each participant's sockets that have not joined their room, the token's expiry, and the
/// send loop. A front end is the framing and the dispatch of its messages on a <see cref="MeetingSocket"/>.
/// </summary>
public sealed class MeetingSocketService(IOptions<MeetingSocketOptions> options, TimeProvider time, IParticipantStore participants, IPresetStore presets)
{
    /// <summary>
    /// How a WebSocket is opened: a GET with <c>Upgrade</c> over HTTP/1.1, an extended CONNECT over HTTP/2 (RFC 8441),
    /// which Chromium uses on any HTTP/2 connection it already has to the host (a page of the same origin, or a request
    /// with credentials to that name).
    /// </summary>
    public static readonly string[] UpgradeMethods = [HttpMethods.Get, HttpMethods.Connect];

    private readonly ConcurrentDictionary<string, int> _unjoined = new(StringComparer.Ordinal);

    public MeetingSocketOptions Options { get; } = options.Value;

    public TimeProvider Time { get; } = time;

    /// <summary>Refuses a request to a socket's endpoint that is not a WebSocket upgrade.</summary>
    public static void RequireWebSocket(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest("this endpoint is a WebSocket: connect with an Upgrade: websocket request");
        }
    }

    /// <summary>
    /// Accepts the request's WebSocket, for the participant the request authenticated as, and runs a front end's client
    /// on it (<paramref name="run"/>) until it ends; then what is queued is sent and the socket closed.
    /// </summary>
    /// <param name="type">What the protocol's messages are: text (JSON), or binary with text only for pings.</param>
    /// <param name="joinedMaxMessageBytes">The protocol's largest message once joined (before: <see cref="MeetingSocketOptions.MaxMessageBytes"/>).</param>
    public async Task ServeAsync(HttpContext context, WebSocketMessageType type, int joinedMaxMessageBytes, Func<MeetingSocket, ParticipantCredential, Task> run)
    {
        RequireWebSocket(context);
        var credential = ParticipantCredential.Of(context.User);
        string participantId = credential.ParticipantId;
        if (!TryTakeUnjoined(participantId))
        {
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                $"this participant has {Options.MaxUnjoinedSocketsPerParticipant} sockets that have not joined the meeting; join on one or close one");
        }

        var slot = new UnjoinedSlot(this, participantId);
        try
        {
            using var webSocket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            var socket = new MeetingSocket(webSocket, Options, Time, type, Options.MaxMessageBytes, Math.Max(joinedMaxMessageBytes, Options.MaxMessageBytes));
            var sending = socket.RunSendLoopAsync();
            _ = socket.Joined.ContinueWith(_ => slot.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            using var expiry = socket.CloseWhenExpired(credential);
            using var deadline = Time.CreateTimer(
                _ =>
                {
                    if (!socket.Started.IsCompleted)
                    {
                        socket.Close(MeetingSocketCloseCodes.JoinTimeout, "nothing started in time: send join first");
                    }
                },
                null, Options.JoinTimeout, Timeout.InfiniteTimeSpan);
            try
            {
                await run(socket, credential).ConfigureAwait(false);
            }
            finally
            {
                socket.Finish();
                await sending.ConfigureAwait(false);
            }
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// What a socket's participant may do as of now, read again before it joins and before each privileged request: the
    /// token must still be the participant's current one and its preset must exist (else
    /// <see cref="CredentialRevokedException"/>); the permissions are the preset's now, so a demotion takes effect at once.
    /// </summary>
    public async Task<(Participant Participant, PresetPermissions Permissions)> RecheckAsync(ParticipantCredential credential)
    {
        var current = await participants.FindAsync(credential.ParticipantId, CancellationToken.None).ConfigureAwait(false);
        if (current is null || current.TokenId != credential.TokenId)
        {
            throw new CredentialRevokedException("this participant token was revoked");
        }

        var preset = await presets.FindAsync(current.AppId, current.PresetId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new CredentialRevokedException($"the participant's preset {current.PresetName} no longer exists");
        return (current, preset.Effective);
    }

    private bool TryTakeUnjoined(string participantId)
    {
        while (true)
        {
            int count = _unjoined.GetOrAdd(participantId, 0);
            if (count >= Options.MaxUnjoinedSocketsPerParticipant)
            {
                return false;
            }

            if (_unjoined.TryUpdate(participantId, count + 1, count))
            {
                return true;
            }
        }
    }

    /// <summary>One socket's place among its participant's unjoined ones, given back once (when it joins or ends).</summary>
    private sealed class UnjoinedSlot(MeetingSocketService owner, string participantId)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.ReleaseUnjoined(participantId);
            }
        }
    }

    private void ReleaseUnjoined(string participantId)
    {
        while (_unjoined.TryGetValue(participantId, out int count))
        {
            if (count <= 1 ? _unjoined.TryRemove(new KeyValuePair<string, int>(participantId, count)) : _unjoined.TryUpdate(participantId, count - 1, count))
            {
                return;
            }
        }
    }
}
