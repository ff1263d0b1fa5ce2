using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Features.Transcription;

/// <summary>Live transcripts' instruments (meter <c>Stagecast.Transcription</c>): utterances by outcome, and who is listened to.</summary>
public sealed class TranscriptionMetrics : IFeatureMetrics
{
    public TranscriptionMetrics(IMeterFactory meters, LiveTranscripts transcripts)
    {
        var meter = meters.Create("Stagecast.Transcription");
        meter.CreateObservableCounter("stagecast_transcription_utterances_total", () => new[]
        {
            new Measurement<long>(transcripts.Recognised, new KeyValuePair<string, object?>("outcome", "recognised")),
            new Measurement<long>(transcripts.Dropped, new KeyValuePair<string, object?>("outcome", "dropped")),
        }, description: "Utterances by outcome: recognised by the speech engine, or dropped unrecognised (the server's or a meeting's queue was full).");
        meter.CreateObservableGauge("stagecast_transcription_speakers", () => transcripts.SpeakerCount, description: "Peers whose microphones are listened to for transcripts now.");
    }
}
