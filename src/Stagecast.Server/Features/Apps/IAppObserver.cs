namespace Stagecast.Server.Features.Apps;

/// <summary>Learns that an app was made, to give it what a new app starts with (its default presets).</summary>
public interface IAppObserver
{
    Task OnAppCreatedAsync(App app, CancellationToken cancellationToken);
}
