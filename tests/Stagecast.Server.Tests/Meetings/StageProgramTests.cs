using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Transport;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The livestream follows the stage, in process with Stagecast's own WebRTC clients (<see cref="MeetingMediaServer"/>):
/// the meeting's program (and so its recordings and livestream) shows who is on the stage, never the audience; a
/// LIVESTREAM meeting's audience watches over HLS, counted in <c>live_viewers</c>, and holds nothing of the SFU; the
/// host's preset picks the livestream's ladder (<c>config.livestream_viewer_qualities</c>). Peers move on and off the
/// stage through their front ends (the channel's <c>stage_join</c>, RealtimeKit's socket events 18 and 19), the app
/// through REST.
/// </summary>
public sealed class StageProgramTests : IAsyncLifetime
{
    private MeetingMediaServer _media = null!;
    private string _meeting = null!;

    public async Task InitializeAsync()
    {
        _media = await MeetingMediaServer.StartAsync();
        _meeting = await _media.Api.CreateMeetingAsync();
    }

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task AWebinarsProgramAndItsRecordingShowWhoIsOnTheStageAndNotTheAudience()
    {
        var host = await _media.Api.AddParticipantAsync(_meeting, "host", "webinar_host");
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada", "webinar_viewer");
        var (hostChannel, hostPeer) = await _media.JoinChannelAsync(host);
        var (adaChannel, adaPeer) = await _media.JoinChannelAsync(ada);
        await using var talking = new Talking(RtpSender.Opus(await _media.PublishAsync(host, hostPeer)));

        // A recording runs the program: it shows the host, on the stage from entry; Ada, in the audience, is not in it.
        Assert.Equal(HttpStatusCode.Created, (await _media.Api.PostAsync("/recordings", JsonSerializer.Serialize(new
        {
            meeting_id = _meeting, video_config = new { width = 320, height = 180 },
        }))).Status);
        var program = await ProgramAsync();
        await Eventually.TrueAsync(() => Shows(program, hostPeer), "the host in the program");
        Assert.Equal(StageStatus.OffStage, _media.Room(_meeting).Peers.Single(p => p.Id == adaPeer).Stage);

        // The host takes another name: the room tells the program, which captions the tile with it (nothing polls).
        await hostChannel.OkAsync("peer_update", new { name = "Dr. Host" });
        await Eventually.TrueAsync(() => program.Sources.Any(s => s.Name == "Dr. Host"), "the host's new name in the program");

        // The app lets Ada on, she joins and talks: she is in the program within a tick of it following the meeting.
        await StageAsync("grant", ada);
        await adaChannel.OkAsync("stage_join");
        var adaTalking = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        talking.Add(adaTalking);
        await Eventually.TrueAsync(() => Shows(program, hostPeer, adaPeer), "Ada in the program beside the host");

        // Sent back to the audience, she leaves the program; the host stays.
        await StageAsync("kick", ada);
        talking.Remove(adaTalking);
        await Eventually.TrueAsync(() => Shows(program, hostPeer), "Ada out of the program");

        // On the stage again, talking; the moment her place changes she is no source of the program, whatever of her
        // media is still connected (the router ends it as it hears of the change, after the room).
        await StageAsync("grant", ada);
        await adaChannel.OkAsync("stage_join");
        talking.Add(RtpSender.Opus(await _media.PublishAsync(ada, adaPeer)));
        await Eventually.TrueAsync(() => Shows(program, hostPeer, adaPeer), "Ada back in the program");
        var router = _media.Router(_meeting);
        _media.PeerOf(_meeting, ada).Stage = StageStatus.OffStage;
        Assert.NotNull(router.PublicationOf(new MeetingStreamKey(_meeting, adaPeer, MediaSource.Camera)));
        Assert.Equal(new[] { hostPeer }, router.VisibleSources().Select(s => s.Peer.Id));
    }

    [Fact]
    public async Task ALivestreamsAudienceWatchesOverHlsCountedAsLiveViewersWithNothingOfTheSfuUntilItIsOnTheStage()
    {
        var host = await _media.Api.AddParticipantAsync(_meeting, "host", "livestream_host");
        var (hostChannel, hostPeer) = await _media.JoinChannelAsync(host);
        await using var talking = new Talking(RtpSender.Opus(await _media.PublishAsync(host, hostPeer)));

        // The audience: two on RealtimeKit's socket (the SDK's LIVESTREAM viewer makes no WebRTC connection off the
        // stage) and one on the JSON channel; none of them is on the stage.
        var viewers = new List<CreatedParticipant>();
        for (int i = 0; i < 3; i++)
        {
            viewers.Add(await _media.Api.AddParticipantAsync(_meeting, $"viewer{i}", "livestream_viewer"));
        }

        var vic = await _media.JoinRealtimeKitAsync(viewers[0]);
        await _media.JoinRealtimeKitAsync(viewers[1]);
        await _media.JoinChannelAsync(viewers[2]);
        Assert.All(viewers, v => Assert.Equal(StageStatus.OffStage, _media.PeerOf(_meeting, v).Stage));

        // The host goes live with the program; the audience watches its HLS, and is counted.
        var started = (await _media.Api.PostAsync($"/meetings/{_meeting}/livestreams", """{"video_config":{"width":320,"height":180}}""")).EnsureOk().Data;
        string id = started.GetProperty("id").GetString()!;
        string playback = started.GetProperty("playback_url").GetString()!;
        await _media.Api.WaitForStatusAsync(id, "LIVE");
        await _media.Server.WaitUntilPlayableAsync(playback);
        var players = viewers.Select(_ => ExternalProcess.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", playback, "-t", "60", "-f", "null", "-"])).ToList();
        try
        {
            await Eventually.MatchAsync(() => _media.Api.GetLivestreamAsync(id), d => d.GetProperty("livestream").GetProperty("live_viewers").GetInt32() == 3,
                "the three players counted as live viewers", TimeSpan.FromSeconds(30));
            await hostChannel.WaitForEventAsync("viewer_count", m => m.GetProperty("count").GetInt32() == 3, TimeSpan.FromSeconds(10));

            // The SFU holds the host's publish and nothing else: no transport, consumer or WebRTC session of the audience.
            var router = _media.Router(_meeting);
            Assert.Equal(new[] { (hostPeer, true) }, router.Transports.Select(t => (t.Peer.Id, t.Producing)));
            Assert.Empty(router.Consumers);
            Assert.Single(_media.Service<WebRtcTransport>().Sessions, s => !s.IsClosed);

            // A host brings Vic on the stage: he switches to WebRTC, produces, and is in the livestream's program.
            var program = await ProgramAsync();
            var vicPeer = _media.PeerOf(_meeting, viewers[0]);
            await hostChannel.OkAsync("stage_grant", new { user_ids = new[] { viewers[0].Id } });
            RealtimeKitMediaClient.Ok(await vic.Socket.RequestAsync(Events.Room.JoinStage, ByteString.Empty));
            await vic.CreateSendTransportAsync();
            RealtimeKitMediaClient.Ok(await vic.ProduceAsync("audio"));
            talking.Add(vic.Sending!.Sender(RealtimeKitMediaClient.AudioMid));
            await Eventually.TrueAsync(() => Shows(program, hostPeer, vicPeer.Id), "Vic in the program beside the host");

            // He leaves the stage (back to HLS): out of the program, his producer gone.
            RealtimeKitMediaClient.Ok(await vic.Socket.RequestAsync(Events.Room.LeaveStage, new LeaveStageRequest().ToByteString()));
            await Eventually.TrueAsync(() => Shows(program, hostPeer), "Vic out of the program");
            Assert.Empty(router.ProducersOf(vicPeer));
        }
        finally
        {
            foreach (var player in players)
            {
                await player.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheHostsPresetPicksTheLadderOfTheLivestreamItStartsAndABadListIsRefusedNamingTheField()
    {
        var refusals = new List<string>();
        foreach (string bad in new[] { "\"720p\"", "[\"4k\"]", "[720, \"720p\"]", "[true]", "{\"720p\":true}" })
        {
            var refused = await _media.Api.PostAsync("/presets", $$$"""{"name":"bad","config":{"view_type":"LIVESTREAM","livestream_viewer_qualities":{{{bad}}}}}""");
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{bad}: {refused.Status}");
            Assert.StartsWith("BAD_REQUEST: \"config.livestream_viewer_qualities\"", refused.ErrorMessage);
            refusals.Add(refused.ErrorMessage);
        }

        Assert.Contains(refusals, m => m.Contains("\"4k\" is not a rendition", StringComparison.Ordinal));
        Assert.Contains(refusals, m => m.Contains("'720p' is listed twice", StringComparison.Ordinal));

        // RealtimeKit's heights or the names of docs/renditions.md, in any order.
        Assert.Equal(HttpStatusCode.Created, (await _media.Api.PostAsync("/presets", """
            {"name":"ladder_host","config":{"view_type":"LIVESTREAM","livestream_viewer_qualities":[180,"360p"]},"permissions":{"can_livestream":true}}
            """)).Status);
        var host = await _media.Api.AddParticipantAsync(_meeting, "host", "ladder_host");

        // Started by the host (RealtimeKit's client, /v2): the preset's ladder; one the start names wins over it.
        Assert.Equal(["source", "360p", "180p"], await StartAsHostAsync(host, renditions: null));
        Assert.Equal(["source", "240p"], await StartAsHostAsync(host, ["240p"]));

        // Started by the host on the channel (stagecast.js's livestream_start): the same.
        var (channel, _) = await _media.JoinChannelAsync(host);
        string started = (await channel.OkAsync("livestream_start", new { manual_ingest = true })).GetProperty("livestream").GetProperty("id").GetString()!;
        Assert.Equal(["source", "360p", "180p"], await LadderAsync(started));
        await channel.OkAsync("livestream_stop");

        // Started by the app, there is no host: the app's default.
        string id = (await _media.Api.PostAsync($"/meetings/{_meeting}/livestreams", """{"manual_ingest":true}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        Assert.Equal(["source"], await LadderAsync(id));
    }

    /// <summary>The livestream the host starts (manual ingest) as the transcoder reads its ladder, stopped again.</summary>
    private async Task<IEnumerable<string>> StartAsHostAsync(CreatedParticipant host, string[]? renditions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_media.Server.HttpBase}/v2/meetings/{_meeting}/livestreams")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { manual_ingest = true, renditions }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = $"api.{RealtimeKitBrowser.Domain}:{_media.HttpsPort}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
        using var response = await _media.Server.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        string id = JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty("id").GetString()!;
        var ladder = await LadderAsync(id);
        (await _media.Api.PostAsync($"/meetings/{_meeting}/active-livestream/stop")).EnsureOk();
        return ladder;
    }

    /// <summary>What the livestream's broadcasts get: the ladder the transcoder reads, and the same on the livestream.</summary>
    private async Task<IEnumerable<string>> LadderAsync(string livestreamId)
    {
        var ladder = RenditionLadder.Names((await _media.Service<IRenditionLadders>().LadderAsync(livestreamId, CancellationToken.None)).Renditions);
        var shown = (await _media.Api.GetLivestreamAsync(livestreamId)).GetProperty("livestream").GetProperty("renditions").EnumerateArray().Select(r => r.GetString()!);
        Assert.Equal(ladder, shown);
        return ladder;
    }

    private Task StageAsync(string action, CreatedParticipant participant) =>
        _media.Api.PostAsync($"/meetings/{_meeting}/active-session/stage/{action}", JsonSerializer.Serialize(new { participant_ids = new[] { participant.Id } }))
            .ContinueWith(t => t.Result.EnsureOk(), TaskScheduler.Default);

    private Task<Stagecast.Compositor.MeetingProgram> ProgramAsync() =>
        Eventually.MatchAsync(() => _media.Service<MeetingPrograms>().Find(_meeting), p => p is not null, "the meeting's program")!;

    /// <summary>Whether the program takes exactly the cameras of these peers.</summary>
    private bool Shows(Stagecast.Compositor.MeetingProgram program, params string[] peerIds) =>
        program.Feeds.Keys.Order().SequenceEqual(peerIds.Select(p => new MeetingStreamKey(_meeting, p, MediaSource.Camera).HubId).Order());

    /// <summary>Microphones talking at a sender's pace (a packet every 20 ms) until disposed, so their sources stay live.</summary>
    private sealed class Talking : IAsyncDisposable
    {
        private readonly List<RtpSender> _senders = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Talking(RtpSender first)
        {
            _senders.Add(first);
            _loop = Task.Run(TalkAsync);
        }

        public void Add(RtpSender sender)
        {
            lock (_senders)
            {
                _senders.Add(sender);
            }
        }

        public void Remove(RtpSender sender)
        {
            lock (_senders)
            {
                _senders.Remove(sender);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }

        private async Task TalkAsync()
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            try
            {
                while (await tick.WaitForNextTickAsync(_stop.Token))
                {
                    lock (_senders)
                    {
                        _senders.ForEach(s => s.Send());
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
