using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Compositor;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>
/// An app runs at most <c>MaxProgramsPerApp</c> meeting programs, an account's apps <c>MaxProgramsPerAccount</c>
/// together and the server <c>MaxPrograms</c>: whatever would start one more is refused (429, 503 for the server's) and
/// leaves nothing behind.
/// </summary>
public sealed class ProgramQuotaTests
{
    private const string Small = """{"video_config":{"width":320,"height":180}}""";

    [Fact]
    public async Task WithoutFfmpegGoingLiveAndRecordingAreRefusedAtOnceNamingItAndLeaveNothingWaiting()
    {
        await using var own = (await ServerFixture.StartAsync(["--ffmpeg", "/nonexistent/ffmpeg"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _h = host;

        var live = await api.PostAsync($"/meetings/{meeting}/livestreams", Small);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, live.Status);
        Assert.Contains("ffmpeg (/nonexistent/ffmpeg) is not installed", live.ErrorMessage);
        var recording = await api.PostAsync("/recordings", Recording(meeting));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, recording.Status);
        Assert.Contains("ffmpeg (/nonexistent/ffmpeg) is not installed", recording.ErrorMessage);

        // Nothing was left STARTING or INVOKED.
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-livestream")).Status);
        Assert.Equal(0, (await api.GetAsync($"/recordings?meeting_id={meeting}")).Body.GetProperty("paging").GetProperty("total_count").GetInt32());
        Assert.Equal(0, (await api.GetAsync("/livestreams")).Body.GetProperty("paging").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task AnAppAtItsLimitIsRefusedWhateverWouldStartAnotherProgramAndOtherAppsAreNot()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Compositor:MaxProgramsPerApp=1", "--set", "Stagecast:Compositor:Linger=00:00:00"]))
            .AsAsyncDisposable(out var server);
        var programs = server.App.Services.GetRequiredService<MeetingPrograms>();
        var api = await server.NewTenantAsync();
        string first = await api.CreateMeetingAsync();
        string second = await api.CreateMeetingAsync();
        var (firstHost, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(first, "host"));
        await using var _f = firstHost;
        var (secondHost, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(second, "host"));
        await using var _s = secondHost;

        // The first meeting's livestream runs its program; a recording of that meeting shares it.
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/meetings/{first}/livestreams", Small)).Status);
        var recording = await api.PostAsync("/recordings", Recording(first));
        Assert.Equal(HttpStatusCode.Created, recording.Status);
        await Eventually.TrueAsync(() => programs.Find(first) is not null, "the first meeting's program");

        // The second meeting would need a program of its own: refused, whichever way, and nothing is left behind.
        var refused = await api.PostAsync($"/meetings/{second}/livestreams", Small);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains("MaxProgramsPerApp = 1", refused.ErrorMessage);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsync("/recordings", Recording(second))).Status);
        var stream = await api.PostAsync($"/meetings/{second}/active-session/streams", JsonSerializer.Serialize(new { url = $"rtmp://127.0.0.1:{FreePorts.Next()}/app/key" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, stream.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{second}/active-livestream")).Status);
        Assert.Empty((await api.GetAsync($"/recordings?meeting_id={second}")).EnsureOk().Data.EnumerateArray());
        Assert.Empty((await api.GetAsync($"/meetings/{second}/active-session/streams")).EnsureOk().Data.EnumerateArray());
        Assert.Null(programs.Find(second));

        // Without a program (manual ingest) the second meeting livestreams; another app's programs are its own.
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/meetings/{second}/livestreams", """{"manual_ingest":true}""")).Status);
        var other = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync($"/meetings/{await other.CreateMeetingAsync()}/livestreams", Small)).Status);

        // The first meeting's program ends with the last thing it fed; then the second meeting may have one.
        (await api.PostAsync($"/meetings/{first}/active-livestream/stop")).EnsureOk();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsync("/recordings", Recording(second))).Status);
        (await api.SendAsync(HttpMethod.Put, $"/recordings/{recording.Data.GetProperty("id").GetString()}", """{"action":"stop"}""")).EnsureOk();
        await Eventually.TrueAsync(() => programs.Find(first) is null, "the first meeting's program to stop");
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/recordings", Recording(second))).Status);
    }

    /// <summary>
    /// Issue 51: apps are free to create, and 3 apps of one account ran 12 programs against a limit of 4 per app. The
    /// account's apps now share its limit, and the server's holds across accounts; each refusal names its setting.
    /// </summary>
    [Fact]
    public async Task AnAccountsAppsShareItsLimitAndTheServersHoldsAcrossAccounts()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Compositor:MaxProgramsPerAccount=2", "--set", "Stagecast:Compositor:MaxPrograms=3"]))
            .AsAsyncDisposable(out var server);
        var programs = server.App.Services.GetRequiredService<ProgramQuota>();
        var first = await server.NewTenantAsync();
        var second = await server.AnotherAppAsync(first);
        var third = await server.AnotherAppAsync(first);

        // Two apps of the account take its two programs; a third app of it, with none of its own yet, is refused.
        Assert.Equal(HttpStatusCode.Created, (await first.PostAsync($"/meetings/{await first.CreateMeetingAsync()}/livestreams", Small)).Status);
        Assert.Equal(HttpStatusCode.Created, (await second.PostAsync($"/meetings/{await second.CreateMeetingAsync()}/livestreams", Small)).Status);
        var refused = await third.PostAsync($"/meetings/{await third.CreateMeetingAsync()}/livestreams", Small);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Contains("Stagecast:Compositor:MaxProgramsPerAccount = 2", refused.ErrorMessage);
        Assert.Equal(0, programs.Programs(third.AppId));

        // Another account has its own two, but the server runs three at most, whoever asks.
        var other = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync($"/meetings/{await other.CreateMeetingAsync()}/livestreams", Small)).Status);
        var full = await other.PostAsync($"/meetings/{await other.CreateMeetingAsync()}/livestreams", Small);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.Status);
        Assert.Contains("Stagecast:Compositor:MaxPrograms = 3", full.ErrorMessage);
        var stranger = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await stranger.PostAsync($"/meetings/{await stranger.CreateMeetingAsync()}/livestreams", Small)).Status);
    }

    /// <summary>
    /// CI found a program that never stopped: its linger timer fired while the meeting was admitted (or a hair early)
    /// and nothing looked again. An idle program now waits for the admitted output and stops once the admission lapses.
    /// </summary>
    [Fact]
    public async Task AnIdleProgramWaitsOutAnAdmissionThenStops()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));
        await using var own = (await ServerFixture.StartAsync(clock)).AsAsyncDisposable(out var server);
        var programs = server.App.Services.GetRequiredService<MeetingPrograms>();
        var quota = server.App.Services.GetRequiredService<ProgramQuota>();
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();

        await programs.AcquireProgramStreamAsync(meeting, 320, 180);
        quota.Admit(App(api.AppId), meeting); // another output on its way, whose start then fails
        await programs.ReleaseProgramStreamAsync(meeting);
        var linger = server.App.Services.GetRequiredService<IOptions<CompositorOptions>>().Value.Linger;

        clock.Advance(linger); // the timer's look runs within the advance: the program stops there, or not at all
        Assert.NotNull(programs.Find(meeting)); // the admitted output may still attach to it

        clock.Advance(ProgramQuota.AdmissionHold);
        await Eventually.TrueAsync(() => programs.Find(meeting) is null, "the idle program to stop once the admission lapsed");
    }

    [Fact]
    public void AnAdmittedMeetingHoldsItsPlaceWhileItsProgramRunsOrUntilTheAdmissionLapses()
    {
        var time = new FakeTimeProvider();
        var quota = new ProgramQuota(Options.Create(new CompositorOptions { MaxProgramsPerApp = 2, MaxProgramsPerAccount = 100, MaxPrograms = 100 }), time);
        quota.Admit(App("app"), "m1");
        quota.Admit(App("app"), "m2");
        quota.Admit(App("app"), "m1"); // a meeting with its place may start more
        quota.Admit(App("other"), "m3");
        Assert.Equal(429, Assert.Throws<ApiException>(() => quota.Admit(App("app"), "m4")).Status);

        // m1's program starts and keeps its place; m2's start failed after admission, and its place lapses.
        quota.Started("m1", default);
        quota.Attached("m1");
        Assert.True(quota.Admitting("m2"));
        time.Advance(ProgramQuota.AdmissionHold);
        Assert.False(quota.Admitting("m2"));
        Assert.Equal(1, quota.Programs("app"));
        quota.Admit(App("app"), "m4");
        Assert.Throws<ApiException>(() => quota.Admit(App("app"), "m5"));

        // A program started without an admission counts for the owner it names (m3's admission lapsed too).
        quota.Started("m6", App("other"));
        Assert.Equal(1, quota.Programs("other"));
        quota.Admit(App("other"), "m7");
        Assert.Throws<ApiException>(() => quota.Admit(App("other"), "m8"));

        quota.Stopped("m1");
        quota.Admit(App("app"), "m5");
    }

    [Fact]
    public void AnAccountsAppsCountTogetherAndEveryAccountCountsForTheServer()
    {
        var quota = new ProgramQuota(Options.Create(new CompositorOptions { MaxProgramsPerApp = 2, MaxProgramsPerAccount = 3, MaxPrograms = 5 }), new FakeTimeProvider());
        quota.Admit(new("a1", "acme"), "m1");
        quota.Admit(new("a2", "acme"), "m2");
        quota.Admit(new("a3", "acme"), "m3");
        var account = Assert.Throws<ApiException>(() => quota.Admit(new("a4", "acme"), "m4"));
        Assert.Equal(429, account.Status);
        Assert.Contains("MaxProgramsPerAccount = 3", account.Message);

        quota.Admit(new("b1", "globex"), "m5");
        quota.Admit(new("b1", "globex"), "m6");
        var server = Assert.Throws<ApiException>(() => quota.Admit(new("c1", "initech"), "m7"));
        Assert.Equal(503, server.Status);
        Assert.Contains("MaxPrograms = 5", server.Message);
        quota.Admit(new("a1", "acme"), "m1"); // a meeting with its place keeps it, whatever is full

        // m5's program runs, then stops: its place is free for anyone.
        quota.Started("m5", default);
        quota.Attached("m5");
        quota.Stopped("m5");
        quota.Admit(new("c1", "initech"), "m7");
    }

    private static ProgramOwner App(string app) => new(app, $"account of {app}");

    private static string Recording(string meeting) => JsonSerializer.Serialize(new { meeting_id = meeting, video_config = new { width = 320, height = 180 } });
}
