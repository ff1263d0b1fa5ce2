using System.Diagnostics.CodeAnalysis;
namespace Stagecast.Server.Hosting;

/// <summary>
/// Work a feature needs done when the server starts: after the database is migrated and before anything listens
/// (recovering what a crash left open, joining the stream hub), or, with <see cref="AfterListening"/>, once every
/// listener is bound (so a start that cannot listen leaves nothing half done). Tasks run one after another in the
/// order their features were added, lower features first.
/// </summary>
public interface IStartupTask
{
    bool AfterListening => false;

    Task RunAsync(CancellationToken cancellationToken);
}

public static class StartupTasks
{
    /// <summary>Registers a feature's start-up work (the task is also available as itself).</summary>
    public static IServiceCollection AddStartupTask<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(this IServiceCollection services)
        where T : class, IStartupTask
    {
        services.AddSingleton<T>();
        services.AddSingleton<IStartupTask>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
