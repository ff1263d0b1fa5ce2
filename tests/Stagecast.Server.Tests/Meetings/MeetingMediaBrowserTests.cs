using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Testing;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>People in a meeting with real browsers: they publish with their tokens and watch each other through the SFU.</summary>
public sealed class MeetingMediaBrowserTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ThreeParticipantsSeeAndHearEachOtherMuteAndAKickedOneGoesAway()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var people = new List<(CreatedParticipant Participant, MeetingPage Page)>();
        foreach (string name in new[] { "ada", "bob", "cy" })
        {
            var participant = await api.AddParticipantAsync(meeting, name, "group_call_participant");
            people.Add((participant, await MeetingPage.JoinAsync(browser, server.HttpBase, participant)));
        }

        foreach (var (_, page) in people)
        {
            await page.PublishAsync();
        }

        foreach (var (_, page) in people)
        {
            foreach (var (_, other) in people.Where(p => p.Page != page))
            {
                await page.WaitForPeerMediaAsync(other.PeerId, video: true, audio: true);
                await page.SubscribeAsync(other.PeerId);
            }
        }

        foreach (var (_, page) in people)
        {
            foreach (var (_, other) in people.Where(p => p.Page != page))
            {
                await page.WaitForMediaFromAsync(other.PeerId);
            }
        }

        var stats = await people[1].Page.StatsAsync(people[0].Page.PeerId);
        Assert.Contains(stats.GetProperty("codecs").EnumerateArray(), c => c.GetString() == "video/VP8");

        // Ada mutes her microphone: the others are told, and her audio stops reaching them while it still reaches the server.
        var (ada, bob) = (people[0].Page, people[1].Page);
        await ada.RequestAsync("media_state", new { audio_enabled = false });
        await bob.WaitForPeerMediaAsync(ada.PeerId, video: true, audio: false);
        var publisher = server.App.Services.GetRequiredService<WebRtcTransport>().Sessions.OfType<SfuPublisher>()
            .Single(p => p.StreamId == MeetingTracks.StreamId(meeting, ada.PeerId, MediaSource.Camera));
        long heardBefore = (await bob.StatsAsync(ada.PeerId)).GetProperty("audioPackets").GetInt64();
        long arrivedBefore = publisher.Audio!.Packets;
        await Eventually.TrueAsync(() => publisher.Audio.Packets > arrivedBefore + 100, "two seconds of Ada's muted audio to reach the server");
        long heardMuted = (await bob.StatsAsync(ada.PeerId)).GetProperty("audioPackets").GetInt64();
        Assert.True(heardMuted < heardBefore + 20, $"Bob heard {heardMuted - heardBefore} packets of muted audio");
        await ada.RequestAsync("media_state", new { audio_enabled = true });
        await bob.WaitForPeerMediaAsync(ada.PeerId, video: true, audio: true);
        await Eventually.MatchAsync(() => bob.StatsAsync(ada.PeerId), s => s.GetProperty("audioPackets").GetInt64() > heardMuted + 50, "Ada's audio again");

        // Ada is kicked: her source ends at once, and with it Bob's and Cy's subscriptions to it.
        (await api.PostAsync($"/meetings/{meeting}/active-session/kick", JsonSerializer.Serialize(new { participant_ids = new[] { people[0].Participant.Id } }))).EnsureOk();
        await bob.WaitForEventAsync("peer_left", e => e.GetProperty("peer_id").GetString() == ada.PeerId, "Ada to leave");
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        await Eventually.TrueAsync(() => !transport.Sessions.OfType<ForwardingWhepSession>().Any(s => s.StreamId.Contains(ada.PeerId, StringComparison.Ordinal)),
            "the subscriptions to Ada to end");
        await Eventually.MatchAsync(() => bob.Page.EvaluateAsync<string>("p => subscriptionState(p)", ada.PeerId), state => state is "closed" or "failed",
            "Bob's browser to see Ada's picture go");
        await bob.WaitForMediaFromAsync(people[2].Page.PeerId); // Cy carries on
    }
}
