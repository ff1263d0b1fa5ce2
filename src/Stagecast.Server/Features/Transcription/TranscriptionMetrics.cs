using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Features.Transcription;

/// <summary>Live transcripts' instruments (meter <c>Stagecast.Transcription</c>): utterances by outcome, who is listened to, and captioned livestreams.</summary>
public sealed class TranscriptionMetrics : IFeatureMetrics
{
    public TranscriptionMetrics(IMeterFactory meters, LiveTranscripts transcripts, LivestreamAudioCaptions captions)
    {
        var meter = meters.Create("Stagecast.Transcription");
        meter.CreateObservableCounter("stagecast_transcription_utterances_total", () => new[]
        {
            new Measurement<long>(transcripts.Recognised, new KeyValuePair<string, object?>("outcome", "recognised")),
            new Measurement<long>(transcripts.Dropped, new KeyValuePair<string, object?>("outcome", "dropped")),
            new Measurement<long>(transcripts.Damaged, new KeyValuePair<string, object?>("outcome", "damaged")),
        }, description: "Utterances by outcome: recognised by the speech engine, dropped unrecognised (the server's or a meeting's queue was full), or damaged (too much of them made up for lost packets).");
        meter.CreateObservableGauge("stagecast_transcription_speakers", () => transcripts.SpeakerCount, description: "Peers whose microphones are listened to for transcripts now.");
        meter.CreateObservableGauge("stagecast_captioned_livestreams", () => captions.ListeningTo.Count, description: "Independent livestreams whose audio is captioned now.");
        meter.CreateObservableCounter("stagecast_captioned_livestreams_refused_total", () => captions.Refused,
            description: "Livestreams that asked for captions and went out without them, past the server's or their app's quota.");
    }
}
