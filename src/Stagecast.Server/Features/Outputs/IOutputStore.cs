namespace Stagecast.Server.Features.Outputs;

public interface IOutputStore
{
    Task CreateOutputAsync(LivestreamOutput output, CancellationToken cancellationToken);

    /// <summary>The outputs of a livestream, oldest first.</summary>
    Task<IReadOnlyList<LivestreamOutput>> ListOutputsAsync(string livestreamId, CancellationToken cancellationToken);

    Task<LivestreamOutput?> FindOutputAsync(string livestreamId, string outputId, CancellationToken cancellationToken);

    Task SetOutputEnabledAsync(string outputId, bool enabled, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task<bool> DeleteOutputAsync(string outputId, CancellationToken cancellationToken);
}
