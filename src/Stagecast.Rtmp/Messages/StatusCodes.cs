namespace Stagecast.Rtmp.Messages;

/// <summary>NetConnection/NetStream status codes used in _result, _error and onStatus info objects.</summary>
public static class StatusCodes
{
    public const string ConnectSuccess = "NetConnection.Connect.Success";
    public const string ConnectRejected = "NetConnection.Connect.Rejected";
    public const string ConnectClosed = "NetConnection.Connect.Closed";
    public const string AppShutdown = "NetConnection.Connect.AppShutdown";
    public const string CallFailed = "NetConnection.Call.Failed";
    public const string PublishStart = "NetStream.Publish.Start";
    public const string PublishBadName = "NetStream.Publish.BadName";
    public const string UnpublishSuccess = "NetStream.Unpublish.Success";
    public const string PlayFailed = "NetStream.Play.Failed";
}
