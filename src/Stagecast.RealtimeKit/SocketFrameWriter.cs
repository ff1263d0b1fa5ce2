using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;

namespace Stagecast.RealtimeKit;

/// <summary>
/// Writes what the server sends a RealtimeKit client, each as one binary WebSocket message (see
/// <see cref="SocketFrameReader"/> for the layout). The array is the whole message and may be sent to any number
/// of peers.
/// </summary>
public static class SocketFrameWriter
{
    /// <summary>
    /// The reply to <paramref name="request"/>: its event and id, and <paramref name="payload"/>. The SDK matches
    /// replies by id and event.
    /// </summary>
    public static byte[] Reply(SocketMessage request, IMessage payload)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(payload);
        return Write(request.Event, request.HasId ? request.Id : null, payload);
    }

    /// <summary>
    /// The reply to <paramref name="request"/> on another event: its id, <paramref name="event"/> and
    /// <paramref name="payload"/> (the SDK awaits the stage's join and leave on room event 38, which also tells of others).
    /// </summary>
    public static byte[] Reply(SocketMessage request, uint @event, IMessage payload)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(payload);
        return Write(@event, request.HasId ? request.Id : null, payload);
    }

    /// <summary>A reply with no payload, for requests whose answer the SDK does not read.</summary>
    public static byte[] Reply(SocketMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Write(request.Event, request.HasId ? request.Id : null, payload: null);
    }

    /// <summary>A message the server sends on its own (a broadcast or a state change): no id.</summary>
    public static byte[] Push(uint @event, IMessage payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Write(@event, id: null, payload);
    }

    /// <summary>
    /// The socket server's error reply to <paramref name="request"/>: event <see cref="RealtimeKitEvents.Error"/>,
    /// its id, an <see cref="ErrorMessage"/>. The SDK rejects the request's promise. It tries to read any error's
    /// payload as a media <see cref="ErrorResponse"/> first, so for requests of the media room prefer
    /// <see cref="MediaError"/>.
    /// </summary>
    public static byte[] Error(SocketMessage request, string message, int? code = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var error = new ErrorMessage { Message = message };
        if (code is { } value)
        {
            error.Code = value;
        }
        return Write(RealtimeKitEvents.Error, request.HasId ? request.Id : null, error);
    }

    /// <summary>
    /// The media room's error reply to <paramref name="request"/>: event
    /// <see cref="RealtimeKitEvents.Media.ErrorResponse"/>, its id, an <see cref="ErrorResponse"/> naming the
    /// request's event. For <c>media.consume</c>, <paramref name="errorMessage"/> may be JSON
    /// <c>{"errorCode": ..., "errorDescription": ...}</c>.
    /// </summary>
    public static byte[] MediaError(SocketMessage request, string errorMessage)
    {
        ArgumentNullException.ThrowIfNull(request);
        var error = new ErrorResponse { ErrorMessage = errorMessage, EventId = unchecked((int)request.Event) };
        return Write(RealtimeKitEvents.Media.ErrorResponse, request.HasId ? request.Id : null, error);
    }

    private static byte[] Write(uint @event, string? id, IMessage? payload)
    {
        var message = new SocketMessage { Event = @event };
        if (id is not null)
        {
            message.Id = id;
        }
        if (payload is not null)
        {
            message.Payload = payload.ToByteString();
        }
        return message.ToByteArray();
    }
}
