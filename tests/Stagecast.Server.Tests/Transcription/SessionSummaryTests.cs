using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// Sessions' summaries from their transcripts (the transcript is put in the store as the speech engine keeps it, so no
/// speech is needed here): in process (extractive: the utterances about the subject, quoted, in the meeting's
/// <c>ai_config.summarization</c>), or by the operator's OpenAI-compatible endpoint. No language model can run on
/// these machines, so the endpoint here is a stand-in that answers as llama.cpp's server does and records what it was
/// asked. Refusals name the problem: a live session, no transcript, a bad <c>ai_config</c>, a failing endpoint.
/// </summary>
public sealed class SessionSummaryTests
{
    private static readonly string[] Said =
    [
        "hello everyone can you hear me",
        "the budget for the new studio is forty thousand",
        "did anyone see the game last night",
        "we move the studio budget to the second quarter",
    ];

    [Fact]
    public async Task AnEndedSessionsSummaryIsWrittenInProcessFromItsTranscriptWhenTheAppAsks()
    {
        await using var _ = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        foreach (var (summarization, problem) in new[]
        {
            ("""{"word_limit":20}""", "\"ai_config.summarization.word_limit\" must be a whole number from 150 to 1000"),
            ("""{"text_format":"html"}""", "\"ai_config.summarization.text_format\" must be one of markdown, plain_text"),
            ("""{"summary_type":"gossip"}""", "\"ai_config.summarization.summary_type\" must be one of general, team_meeting"),
        })
        {
            var refused = await api.PostAsync("/meetings", "{\"title\":\"x\",\"ai_config\":{\"summarization\":" + summarization + "}}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains(problem, refused.ErrorMessage);
        }

        string meeting = await api.CreateMeetingAsync("""{"title":"Studio","ai_config":{"summarization":{"word_limit":150,"text_format":"plain_text"}}}""");
        string session = await SessionWithTranscriptAsync(server, api, meeting, live: async s =>
        {
            var early = await api.PostAsync($"/sessions/{s}/summary");
            Assert.Equal(HttpStatusCode.Conflict, early.Status);
            Assert.Contains("is not over", early.ErrorMessage);
        });
        var none = await api.GetAsync($"/sessions/{session}/summary");
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Contains("POST /sessions/" + session + "/summary writes one", none.ErrorMessage);

        var made = (await api.PostAsync($"/sessions/{session}/summary")).EnsureOk();
        string summary = await server.Http.GetStringAsync(made.Data.GetProperty("summaryDownloadUrl").GetString());
        // The transcript is short, so the whole of it fits the word limit but the filler: the subject's lines, in order.
        Assert.Equal("Ada: the budget for the new studio is forty thousand\nAda: we move the studio budget to the second quarter\n", summary);
        var asked = (await api.GetAsync($"/sessions/{session}/summary")).EnsureOk();
        Assert.Equal(session, asked.Data.GetProperty("sessionId").GetString());
        Assert.Equal(summary, await server.Http.GetStringAsync(asked.Data.GetProperty("summaryDownloadUrl").GetString()));
    }

    [Fact]
    public async Task TheOperatorsChatCompletionsEndpointWritesTheSummaryWhenNamed()
    {
        await using var model = await StandInModel.StartAsync();
        await using var _ = (await ServerFixture.StartAsync(["--summary-endpoint", model.BaseUrl, "--summary-model", "tiny-llama", "--set",
            "Stagecast:Transcription:SummaryApiKey=sk-local-7"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Studio","ai_config":{"summarization":{"word_limit":200,"summary_type":"team_meeting"}}}""");
        string session = await SessionWithTranscriptAsync(server, api, meeting);

        var made = (await api.PostAsync($"/sessions/{session}/summary")).EnsureOk();
        Assert.Equal("The studio budget moves to Q2.", await server.Http.GetStringAsync(made.Data.GetProperty("summaryDownloadUrl").GetString()));
        var request = Assert.Single(model.Requests);
        Assert.Equal("Bearer sk-local-7", request.Authorization);
        Assert.Equal("tiny-llama", request.Body.GetProperty("model").GetString());
        var messages = request.Body.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["system", "user"], messages.Select(m => m.GetProperty("role").GetString()));
        string instructions = messages[0].GetProperty("content").GetString()!;
        Assert.Contains("(team meeting)", instructions);
        Assert.Contains("at most 200 words, in Markdown", instructions);
        Assert.Equal(string.Join('\n', Said.Select(s => $"Ada: {s}")), messages[1].GetProperty("content").GetString());

        model.Fail = true;
        var failed = await api.PostAsync($"/sessions/{session}/summary");
        Assert.Equal(HttpStatusCode.BadGateway, failed.Status);
        Assert.Equal("The summary could not be written: the summary endpoint answered 500", failed.ErrorMessage);
    }

    [Fact]
    public async Task ASessionsTranscriptAndSummaryGoWithTheRecordingsRetention()
    {
        await using var _ = (await ServerFixture.StartAsync(["--set", "Stagecast:Recordings:Retention=30.00:00:00"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        string session = await SessionWithTranscriptAsync(server, api, meeting);
        (await api.PostAsync($"/sessions/{session}/summary")).EnsureOk();
        var ada = await api.AddParticipantAsync(meeting, "ada-again", name: "Ada");
        var (channel, _) = await MeetingHelpers.JoinAsync(server.HttpBase, ada);
        await using var __ = channel;

        // A sweep on the server's clock keeps a session that ended just now; one 31 days on deletes the ended session's
        // lines and summary and leaves the live session alone.
        var sweeper = server.App.Services.GetRequiredService<TranscriptRetentionService>();
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        (await api.GetAsync($"/sessions/{session}/transcript")).EnsureOk();
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(31));
        var monthOn = new TranscriptRetentionService(server.App.Services.GetRequiredService<SqlTranscriptStore>(), server.App.Services.GetRequiredService<SqlSummaryStore>(),
            Options.Create(new RecordingsOptions { Retention = TimeSpan.FromDays(30) }), later, NullLogger<TranscriptRetentionService>.Instance);
        Assert.Equal(Said.Length + 1, await monthOn.SweepAsync(CancellationToken.None));

        var transcript = await api.GetAsync($"/sessions/{session}/transcript");
        Assert.Equal(HttpStatusCode.NotFound, transcript.Status);
        Assert.Contains("deleted with the recordings' retention", transcript.ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/sessions/{session}/summary")).Status);
    }

    /// <summary>A session of <paramref name="meeting"/> with Ada in it, ended, whose transcript is <see cref="Said"/>.</summary>
    private static async Task<string> SessionWithTranscriptAsync(ServerFixture server, StagecastApiClient api, string meeting, Func<string, Task>? live = null)
    {
        var ada = await api.AddParticipantAsync(meeting, "ada", name: "Ada");
        var (channel, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, ada);
        await using var __ = channel;
        string session = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        string peer = joined.GetProperty("peer_id").GetString()!;
        var store = server.App.Services.GetRequiredService<SqlTranscriptStore>();
        var at = DateTimeOffset.UtcNow;
        for (int i = 0; i < Said.Length; i++)
        {
            var line = new TranscriptLine(Guid.NewGuid().ToString(), peer, ada.Id, "ada", "Ada", at.AddSeconds(i * 5), at.AddSeconds((i * 5) + 3), Said[i]);
            await store.AddAsync(session, meeting, line, shown: true, CancellationToken.None);
        }

        if (live is not null)
        {
            await live(session);
        }

        (await api.PostAsync($"/meetings/{meeting}/active-session/kick-all")).EnsureOk();
        await Eventually.TrueAsync(async () => !(await api.GetAsync($"/sessions/{session}")).Data.GetProperty("ended_at").ValueKind.Equals(JsonValueKind.Null),
            "the session to end");
        return session;
    }

    /// <summary>An OpenAI-compatible chat completions API on loopback, as llama.cpp's server answers it; it keeps what it was asked.</summary>
    private sealed class StandInModel : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<(string? Authorization, JsonElement Body)> _requests = [];

        private StandInModel(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

        public string BaseUrl { get; }

        public bool Fail { get; set; }

        public IReadOnlyList<(string? Authorization, JsonElement Body)> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public static async Task<StandInModel> StartAsync()
        {
            int port = FreePorts.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            var model = new StandInModel(app, $"http://127.0.0.1:{port}/v1");
            app.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                lock (model._requests)
                {
                    model._requests.Add((context.Request.Headers.Authorization.ToString(), body.RootElement.Clone()));
                }

                if (model.Fail)
                {
                    return Results.StatusCode(500);
                }

                return Results.Text("""{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"The studio budget moves to Q2.\n"},"finish_reason":"stop"}]}""",
                    "application/json");
            });
            await app.StartAsync();
            return model;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
