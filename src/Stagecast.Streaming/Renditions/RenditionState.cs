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
}
