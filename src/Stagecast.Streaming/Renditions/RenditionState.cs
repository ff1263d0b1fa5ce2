namespace Stagecast.Streaming.Renditions;

/// <summary>Where an encode of a live stream stands: only a <see cref="Live"/> one belongs in its multivariant playlist.</summary>
public enum RenditionState
{
    /// <summary>Its encoder runs and has not yet given a frame.</summary>
    Starting,

    /// <summary>Its frames keep up with the source's.</summary>
    Live,

    /// <summary>Its newest frame is further behind the source's than the lag limit allows (or its encoder is down); it comes back when it catches up.</summary>
    Lagging,

    /// <summary>The source ended, and the encode with it.</summary>
    Stopped,

    /// <summary>
    /// Never encoded: the stream's encodes would have taken its owner or the server past a limit of encodes at once
    /// (<see cref="RenditionStatus.Reason"/> says which), so the stream plays its source alone until it is published again.
    /// </summary>
    Refused,
}
