using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>Bad input is a 4xx with the error envelope, whoever answers it: never a 500, never an empty body.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class ErrorEnvelopeTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("start_time", "-62135596801")]
    [InlineData("start_time", "-1e11")]
    [InlineData("end_time", "0001-01-01T00:00:00Z")]
    [InlineData("end_time", "1e300")]
    [InlineData("start_time", "-1")]
    public async Task TimesOutsideTheRangeAre400sNamingTheField(string field, string value)
    {
        var tenant = await server.NewTenantAsync();
        foreach (string path in new[] { "/livestreams", "/analytics/livestreams/overall", "/analytics/livestreams/daywise" })
        {
            var reply = await tenant.GetAsync($"{path}?{field}={Uri.EscapeDataString(value)}");
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Contains($"\"{field}\" must be between 1970-01-01 and 9999-12-30", Message(reply.Body));
        }
    }

    [Theory]
    [InlineData("/livestreams", """{"name":"\ud800"}""")]
    [InlineData("/livestreams", """{"name":"ok\udc00ok"}""")]
    [InlineData("/livestreams/{id}/outputs", """{"url":"rtmp://example.com/live\ud800","stream_key":"k"}""")]
    [InlineData("/livestreams/{id}/outputs", """{"url":"rtmp://example.com/live","stream_key":"\udfff"}""")]
    public async Task LoneSurrogatesInJsonStringsAre400s(string path, string body)
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        var reply = await tenant.PostAsync(path.Replace("{id}", livestream.Id), body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("not valid Unicode text", Message(reply.Body));
    }

    [Fact]
    public async Task InvalidUtf8InAJsonStringIsA400()
    {
        var tenant = await server.NewTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{tenant.Base}/livestreams")
        {
            Content = new ByteArrayContent([.. "{\"name\":\"a"u8, 0xC3, 0x28, .. "\"}"u8]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Token);
        var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid Unicode text", Message(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ErrorsAndAnswersAreReadableJson()
    {
        // Quotes were written \u0022 (and accented letters \u00E9): valid JSON, but unreadable in a terminal.
        var tenant = await server.NewTenantAsync();
        using var invalid = await RequestAsync(tenant, "/livestreams", """{"name":"not valid!"}""");
        string error = await invalid.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("""BAD_REQUEST: \"name\" must match""", error);
        Assert.DoesNotContain("\\u0022", error);

        using var meeting = await RequestAsync(tenant, "/meetings", """{"title":"Café \"Q&A\" <weekly>"}""");
        string created = await meeting.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, meeting.StatusCode);
        Assert.Contains("\"title\":\"Café \\\"Q&A\\\" <weekly>\"", created);
        Assert.Equal("Café \"Q&A\" <weekly>", JsonDocument.Parse(created).RootElement.GetProperty("data").GetProperty("title").GetString());
    }

    [Fact]
    public async Task AWrongMethodIs405WithAllow()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();

        var (status, allow, message) = await SendAsync(tenant, HttpMethod.Delete, "/livestreams");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("GET, POST", allow);
        Assert.Contains("method DELETE not allowed", message);

        (status, allow, _) = await SendAsync(tenant, HttpMethod.Post, $"/livestreams/{livestream.Id}/active-livestream-session");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("GET", allow);

        // A path that does not exist under any method stays a 404.
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/no-such-thing")).Status);
    }

    [Fact]
    public async Task ErrorsOutsideTheApiAndLimitRejectionsCarryTheEnvelope()
    {
        var notFound = await server.Http.GetAsync("/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("not found: GET /nothing/here", Message(await notFound.Content.ReadAsStringAsync()));

        var longLine = await server.Http.GetAsync("/livestreams?q=" + new string('a', 9000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longLine.StatusCode);
        Assert.Contains("request line longer than", Message(await longLine.Content.ReadAsStringAsync()));

        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        bigHeaders.Headers.Add("X-Filler", new string('b', 40_000));
        var headers = await server.Http.SendAsync(bigHeaders);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, headers.StatusCode);
        Assert.Contains("request headers larger than", Message(await headers.Content.ReadAsStringAsync()));

        // "../" that climbs out of the API base, sent as is (HttpClient would normalise it away).
        var (status, _, body) = await RawAsync("GET /client/v4/accounts/a/realtime/kit/b/../../../../../../../secret.key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(404, status);
        Assert.Contains("\"success\":false", body);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", 400, "malformed HTTP request")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400, "malformed HTTP request")]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n", 400, "malformed HTTP request")]
    [InlineData("POST /healthz HTTP/1.0\r\nHost: x\r\n\r\n", 400, "malformed HTTP request")]
    [InlineData("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 505, "HTTP version not supported")]
    public async Task WhatKestrelRefusesBeforeAnyRequestCarriesTheEnvelope(string request, int expected, string message)
    {
        var (status, head, body) = await RawAsync(request);
        Assert.Equal(expected, status);
        Assert.Contains("Content-Type: application/json", head);
        Assert.Contains(message, Message(body));
    }

    [Fact]
    public async Task ARefusalAfterAnsweredRequestsOnTheSameConnectionCarriesTheEnvelopeAndTheAnswersAreUntouched()
    {
        // Two good requests on one keep-alive connection, then one Kestrel cannot parse.
        var (status, head, rest) = await RawAsync(
            "GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost x\r\n\r\n");
        Assert.Equal(404, status);
        Assert.Contains("Content-Type: application/json", head);
        string[] answers = rest.Split("HTTP/1.1 ");
        Assert.Equal(3, answers.Length); // the 404's body, the 200, the 400
        Assert.Contains("not found: GET /nothing/here", answers[0]);
        Assert.StartsWith("200 OK", answers[1]);
        Assert.StartsWith("400 Bad Request", answers[2]);
        Assert.Contains("malformed HTTP request", Message(answers[2][(answers[2].IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]));
    }

    private async Task<(HttpStatusCode Status, string Allow, string Message)> SendAsync(StagecastApiClient tenant, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, tenant.Base + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Token);
        var response = await server.Http.SendAsync(request);
        return (response.StatusCode, string.Join(", ", response.Content.Headers.Allow), Message(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>POSTs a JSON body under the tenant's base, for the answer's raw text.</summary>
    private async Task<HttpResponseMessage> RequestAsync(StagecastApiClient tenant, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tenant.Base + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Token);
        return await server.Http.SendAsync(request);
    }

    /// <summary>Sends <paramref name="request"/> as is (HttpClient would normalise or refuse it) and reads until the server closes.</summary>
    private async Task<(int Status, string Head, string Body)> RawAsync(string request)
    {
        var uri = new Uri(server.HttpBase);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string response = await reader.ReadToEndAsync(timeout.Token);
        int status = int.Parse(response.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        int end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, response[..end], response[(end + 4)..]);
    }

    private static string Message(string body) => Message(JsonDocument.Parse(body).RootElement);

    private static string Message(JsonElement body)
    {
        Assert.False(body.GetProperty("success").GetBoolean());
        return body.GetProperty("error").GetProperty("message").GetString()!;
    }
}
