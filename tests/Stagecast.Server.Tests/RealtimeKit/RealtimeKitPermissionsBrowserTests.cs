using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A host on RealtimeKit's unmodified SDK changes a participant's permissions with the SDK's own
/// <c>participants.updatePermissions</c>; the participant's SDK (each pinned version) merges what it is pushed into
/// <c>meeting.self.permissions</c> and says so (<c>permissionsUpdate</c>).
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitPermissionsBrowserTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task AHostsPermissionChangeReachesTheParticipantsSdk(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var hana = await api.AddParticipantAsync(meeting, "host", "group_call_host", name: "Hana");
        var gus = await api.AddParticipantAsync(meeting, "guest", "group_call_participant", name: "Gus");
        var host = await browser.JoinAsync(hana.Token, media: false, sdkVersion: sdk);
        var guest = await browser.JoinAsync(gus.Token, media: false, sdkVersion: sdk);
        Assert.Equal(new RtkPermissions(true, false, "ALLOWED", 0), await guest.PermissionsAsync());

        // The SDK's patch: its own names, the media's enum as a number (2: NOT_ALLOWED).
        var seen = await host.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == gus.Id), "the host sees the guest");
        await host.UpdatePermissionsAsync([seen.Participants.Single(p => p.UserId == gus.Id).Id], new
        {
            chat = new { @public = new { canSend = false } },
            polls = new { canCreate = true },
            media = new { audio = new { canProduce = 2 } },
        });
        var changed = await Eventually.MatchAsync(guest.PermissionsAsync, p => p.Updates > 0, "the guest's SDK told of the change");
        Assert.Equal(new RtkPermissions(false, true, "NOT_ALLOWED", 1), changed);
        Assert.Equal(new RtkPermissions(true, true, "ALLOWED", 0), await host.PermissionsAsync()); // the host's own are as they were
    }
}
