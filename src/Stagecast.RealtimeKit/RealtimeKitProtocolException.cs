namespace Stagecast.RealtimeKit;

/// <summary>
/// A RealtimeKit socket message that cannot be read: over <see cref="RealtimeKitLimits.MaxSocketMessageSize"/>, or
/// bytes that are not the protobuf message they should be. The connection that sent it is to be closed.
/// </summary>
public sealed class RealtimeKitProtocolException : Exception
{
    public RealtimeKitProtocolException(string message)
        : base(message)
    {
    }

    public RealtimeKitProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
