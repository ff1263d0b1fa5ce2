using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.RoomStreams;

public static class RoomStreamsFeature
{
    /// <summary>Room streams: a meeting's program pushed to RTMP(S) destinations (SignalWire's RoomSessionStream).</summary>
    public static IServiceCollection AddRoomStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(RoomStreamsApiJsonContext.Default);
        services.AddOptions<RoomStreamsOptions>().Bind(configuration.GetSection(RoomStreamsOptions.Section))
            .ValidateWith<RoomStreamsOptions, RoomStreamsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<IRoomStreamStore, SqlRoomStreamStore>();
        services.AddSingleton<RoomStreamService>();
        services.AddSingleton<IMeetingSessionObserver>(sp => sp.GetRequiredService<RoomStreamService>());
        services.AddStartupTask<Recovery>();
        return services;
    }

    /// <summary>At start: streams a stopped node left running are completed (never a live node's); the service follows the program hub.</summary>
    private sealed class Recovery(IRoomStreamStore store, MeetingPrograms programs, RoomStreamService streams, NodeIdentity node, TimeProvider time) : IStartupTask
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await store.CompleteUnfinishedAsync(time.GetUtcNow(), await node.OtherLiveNodesAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            programs.ProgramHub.AddObserver(streams);
        }
    }
}
