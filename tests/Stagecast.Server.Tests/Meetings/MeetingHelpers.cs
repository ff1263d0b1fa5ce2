using System.Net;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

public sealed record CreatedParticipant(string Id, string CustomId, string Token);

/// <summary>Meeting set-up steps the tests share, through the REST API as an app would do them.</summary>
public static class MeetingHelpers
{
    public static async Task<string> CreateMeetingAsync(this StagecastApiClient api, string body = """{"title":"standup"}""")
    {
        var reply = await api.PostAsync("/meetings", body);
        return reply.Status == HttpStatusCode.Created
            ? reply.Data.GetProperty("id").GetString()!
            : throw new InvalidOperationException($"create meeting failed: {reply.Status} {reply.Body}");
    }

    public static async Task<CreatedParticipant> AddParticipantAsync(this StagecastApiClient api, string meetingId, string customId, string preset = "group_call_host", string? name = null)
    {
        var reply = await api.PostAsync($"/meetings/{meetingId}/participants",
            JsonSerializer.Serialize(new { custom_participant_id = customId, preset_name = preset, name = name ?? customId }));
        var data = reply.EnsureOk().Data;
        return new CreatedParticipant(data.GetProperty("id").GetString()!, customId, data.GetProperty("token").GetString()!);
    }

    /// <summary>
    /// Connects a participant to the channel and joins; returns the client and its join answer. Over HTTPS, the client
    /// trusts exactly <paramref name="certificate"/>.
    /// </summary>
    public static async Task<(RealtimeTestClient Client, JsonElement Joined)> JoinAsync(string httpBase, CreatedParticipant participant, object? join = null,
        TestCertificate? certificate = null)
    {
        var client = await RealtimeTestClient.ConnectAsync(httpBase, participant.Token, certificate);
        return (client, await client.OkAsync("join", join));
    }
}
