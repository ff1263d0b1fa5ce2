using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Deletes the transcripts and summaries of sessions that ended longer ago than the recordings' retention
/// (<see cref="RecordingsOptions.Retention"/>; zero keeps them for ever): a session's words are kept as long as its
/// pictures, whole sessions at a time.
/// </summary>
public sealed partial class TranscriptRetentionService(SqlTranscriptStore transcripts, SqlSummaryStore summaries, IOptions<RecordingsOptions> options,
    TimeProvider time, ILogger<TranscriptRetentionService> logger) : HourlySweep(time, logger)
{
    protected override bool Enabled => options.Value.Retention > TimeSpan.Zero;

    protected override string What => "transcripts";

    /// <summary>Deletes what is past the retention now; returns how many lines and summaries went.</summary>
    protected override async Task<int> DeleteAsync(CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow() - options.Value.Retention;
        int lines = await transcripts.DeleteEndedBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        int made = await summaries.DeleteEndedBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        if (lines + made > 0)
        {
            Log.Deleted(logger, lines, made);
        }

        return lines + made;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Lines} transcript lines and {Summaries} summaries of sessions past the recordings' retention")]
        public static partial void Deleted(ILogger logger, int lines, int summaries);
    }
}
