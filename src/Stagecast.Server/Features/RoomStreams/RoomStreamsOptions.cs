using System.ComponentModel.DataAnnotations;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>Settings of room streams (<c>Stagecast:RoomStreams</c>).</summary>
public sealed class RoomStreamsOptions
{
    public const string Section = "Stagecast:RoomStreams";

    /// <summary>
    /// Room streams of one meeting running at once: each pushes the program to its destination, so the server sends
    /// that many copies. 50 by default, as many as a livestream's outputs. Past it, 429.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPerMeeting { get; set; } = 50;
}
