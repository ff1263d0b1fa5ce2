using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Deletes chat older than <see cref="ChatOptions.Retention"/>, files and images included: at start, then every hour.</summary>
public sealed partial class ChatRetentionService(IMeetingSessionStore store, ChatFiles files, IOptions<ChatOptions> options, TimeProvider time, ILogger<ChatRetentionService> logger)
    : HourlySweep(time, logger)
{
    protected override bool Enabled => options.Value.Retention > TimeSpan.Zero;

    protected override string What => "chat";

    /// <summary>Deletes what is past the retention now, messages and files; returns how many messages went.</summary>
    protected override async Task<int> DeleteAsync(CancellationToken cancellationToken)
    {
        var before = Time.GetUtcNow() - options.Value.Retention;
        int deleted = await store.DeleteChatBeforeAsync(before, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            Log.Deleted(logger, deleted, options.Value.Retention.TotalDays);
        }

        await files.DeleteBeforeAsync(before, cancellationToken).ConfigureAwait(false);

        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} chat messages older than {Days} days")]
        public static partial void Deleted(ILogger logger, int count, double days);
    }
}
