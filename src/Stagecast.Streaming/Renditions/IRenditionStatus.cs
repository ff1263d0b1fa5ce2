namespace Stagecast.Streaming.Renditions;

/// <summary>
/// The state of each encode the transcoders run: what the multivariant playlist lists (the <see cref="RenditionState.Live"/>
/// ones) and what the API shows. The source itself is never listed here: it is live while its stream is.
/// </summary>
public interface IRenditionStatus
{
    /// <summary>The encodes of a live stream, highest first; empty when none runs for it.</summary>
    IReadOnlyList<RenditionStatus> Of(string livestreamId);

    /// <summary>Raised on every change of state, on the thread that saw it; a handler must be quick and must not throw.</summary>
    event Action<RenditionStatus>? Changed;
}
