using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stagecast.Streaming.Renditions;

/// <summary>
/// Where the transcoders publish a livestream's encodes, one stream per rendition under
/// <see cref="StreamId"/>, timestamped on the source's timeline. A hub of its own, so nothing that reacts to a
/// livestream going live (sessions, webhooks, outputs, recordings) takes an encode for a livestream; the HLS packager
/// and WHEP read it beside the source.
/// </summary>
public sealed class RenditionHub(TimeProvider time, ILogger<StreamHub> logger, IEnumerable<IRenditionObserver>? observers = null)
{
    public StreamHub Hub { get; } = new(Options.Create(new StreamHubOptions()), time, observers ?? [], logger);

    public static string StreamId(string livestreamId, Rendition rendition) => $"{livestreamId}/{rendition.Name}";
}

/// <summary>Hears the encodes of <see cref="RenditionHub"/> start and end (the HLS packager, to package them beside their source).</summary>
public interface IRenditionObserver : IHubStreamObserver;
