namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>What a peer publishes: its camera (with its microphone) or its screen (with the screen's audio).</summary>
public enum MediaSource
{
    Camera,
    Screenshare,
}

public static class MediaSources
{
    /// <summary>The <c>source</c> query parameter: <c>camera</c> (the default) or <c>screenshare</c>.</summary>
    public static bool TryParse(string? value, out MediaSource source)
    {
        source = MediaSource.Camera;
        switch (value)
        {
            case null or "" or "camera":
                return true;
            case "screenshare":
                source = MediaSource.Screenshare;
                return true;
            default:
                return false;
        }
    }

    public static string Name(this MediaSource source) => source == MediaSource.Camera ? "camera" : "screenshare";
}
