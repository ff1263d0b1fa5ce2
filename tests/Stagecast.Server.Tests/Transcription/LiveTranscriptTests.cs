using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.RealtimeKit.Protocol.Ai;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Speech;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// Live transcripts on the server's CPU, in process with PocketSphinx: a participant whose preset has
/// <c>transcription_enabled</c> speaks (espeak-ng's sentence as a browser's Opus packets, over meeting WHIP) and every
/// peer hears the words with the speaker's name and times, on the JSON channel (<c>transcript</c>) and on RealtimeKit's
/// socket (room event 32, the CSV line the SDK parses); a participant whose preset does not ask is not listened to.
/// </summary>
public sealed class LiveTranscriptTests : IAsyncLifetime
{
    private const string Sentence = "the weather is nice today";
    private MeetingMediaServer _media = null!;

    public async Task InitializeAsync() => _media = await MeetingMediaServer.StartAsync(null, "--transcription-engine", "pocketsphinx");

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task AParticipantsWordsReachEveryPeerWithTheirNameOnBothFrontEnds()
    {
        (await _media.Api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "transcribed",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = true, can_produce_video = true, transcription_enabled = true },
        }))).EnsureOk();
        string meeting = await _media.Api.CreateMeetingAsync();
        var ada = await _media.Api.AddParticipantAsync(meeting, "ada-7", "transcribed", name: "Ada, \"the\" host");
        var bob = await _media.Api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var cy = await _media.Api.AddParticipantAsync(meeting, "cy", "group_call_host", name: "Cy");
        var (adaChannel, adaPeer) = await _media.JoinChannelAsync(ada);
        var (bobChannel, bobPeer) = await _media.JoinChannelAsync(bob);
        var cyClient = await _media.JoinRealtimeKitAsync(cy);

        // Ada and Bob publish; only Ada's preset asks for transcripts.
        var (adaCamera, bobCamera) = (await _media.PublishAsync(ada, adaPeer), await _media.PublishAsync(bob, bobPeer));
        var (adaAudio, bobAudio) = (RtpSender.Opus(adaCamera), RtpSender.Opus(bobCamera));
        var transcripts = _media.Service<LiveTranscripts>();
        Assert.True(transcripts.Running);
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaAudio.Send();
            bobAudio.Send();
        }, () => transcripts.ListeningTo(meeting).Contains(adaPeer), "the server listening to Ada");
        Assert.Equal([adaPeer], transcripts.ListeningTo(meeting));

        // Ada says the sentence, a little faster than real time (the engine does not mind), with a pause after it.
        var said = DateTimeOffset.UtcNow;
        foreach (var packet in SpokenAudio.SayAsOpus(Sentence, TimeSpan.FromSeconds(1)))
        {
            adaAudio.Send(packet);
            await Task.Delay(5);
        }

        var heard = await bobChannel.WaitForEventAsync("transcript", timeout: TimeSpan.FromSeconds(30));
        string text = heard.GetProperty("text").GetString()!;
        Assert.True(WordErrorRate.Of(Sentence, text) <= 0.4, $"heard \"{text}\" for \"{Sentence}\"");
        Assert.Equal(adaPeer, heard.GetProperty("peer_id").GetString());
        Assert.Equal(ada.Id, heard.GetProperty("user_id").GetString());
        Assert.Equal("ada-7", heard.GetProperty("custom_participant_id").GetString());
        Assert.Equal("Ada, \"the\" host", heard.GetProperty("name").GetString());
        var (started, ended) = (heard.GetProperty("started_at").GetDateTimeOffset(), heard.GetProperty("ended_at").GetDateTimeOffset());
        Assert.InRange(started, said - TimeSpan.FromSeconds(2), DateTimeOffset.UtcNow);
        Assert.InRange((ended - started).TotalSeconds, 1, 4); // espeak-ng says it in about 1.6 s
        Assert.Equal(text, (await adaChannel.WaitForEventAsync("transcript")).GetProperty("text").GetString()); // the speaker too

        // RealtimeKit's SDK reads one CSV line: epoch seconds, peer id, user id, custom id, name, words (quoted).
        var pushed = await cyClient.Socket.WaitForAsync(m => m.Event == Events.Room.Transcript);
        var line = MeetingTranscript.Parser.ParseFrom(pushed.Payload);
        Assert.Equal(meeting, line.MeetingId);
        Assert.False(line.IsPartial);
        Assert.Equal($"\"{started.ToUnixTimeSeconds()}\",\"{adaPeer}\",\"{ada.Id}\",\"ada-7\",\"Ada, \"\"the\"\" host\",\"{text}\"", line.Transcript);
        Assert.Equal(0, transcripts.Dropped);
    }
}
