using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>
/// Findings on webhook destinations: IPv6 transition addresses that embed a private IPv4 address passed the check,
/// URLs with credentials were stored but their credentials never sent, and a proxy in the environment made the
/// connect-time check see the proxy instead of the destination.
/// </summary>
public sealed class WebhookDestinationTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("64:ff9b::808:808", true)] // NAT64 of 8.8.8.8
    [InlineData("2002:808:808::1", true)] // 6to4 of 8.8.8.8
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a9fe:a9fe", false)] // NAT64 of the cloud metadata address
    [InlineData("64:ff9b::7f00:1", false)] // NAT64 of loopback
    [InlineData("64:ff9b:1::a00:1", false)] // local-use NAT64
    [InlineData("2002:c0a8:101::", false)] // 6to4 of 192.168.1.1
    [InlineData("2002:7f00:1::", false)] // 6to4 of loopback
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)] // Teredo
    [InlineData("::7f00:1", false)] // IPv4-compatible loopback
    [InlineData("::a9fe:a9fe", false)] // IPv4-compatible metadata
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("2001:db8::1", false)]
    [InlineData("192.0.2.1", false)]
    public void AddressesThatEmbedIPv4AreJudgedByIt(string address, bool isPublic) =>
        Assert.Equal(isPublic, NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task TransitionAddressesAndCredentialsInTheUrlAreRefusedWhenSaved()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Webhooks:AllowPrivate=false"])).AsAsyncDisposable(out var strict);
        var api = await strict.NewTenantAsync();
        foreach (string url in new[] { "http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "http://[64:ff9b:1::a00:1]/h", "http://[2002:c0a8:101::]/h",
                     "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/h", "http://[::7f00:1]/h" })
        {
            var reply = await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "x", url, events = new[] { "meeting.started" } }));
            Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{url}: {reply.Status} {reply.Body}");
            Assert.Contains("private, loopback or link-local", reply.ErrorMessage);
        }

        var withCredentials = await api.PostAsync("/webhooks", """{"name":"x","url":"https://user:hunter2@hooks.example.com/h","events":["meeting.started"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, withCredentials.Status);
        Assert.Contains("must not carry credentials", withCredentials.ErrorMessage);
        Assert.DoesNotContain("hunter2", withCredentials.Body.ToString());
    }

    [Fact]
    public async Task DeliveriesIgnoreAProxyConfiguredInTheEnvironment()
    {
        // A "proxy" that would see every delivery if the server used it.
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var environment = new Dictionary<string, string>
        {
            ["HTTP_PROXY"] = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}",
            ["http_proxy"] = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}",
            ["NO_PROXY"] = "",
            ["STAGECAST_ACCOUNT_ID"] = "proxy-account",
            ["STAGECAST_APP_ID"] = "proxy-app",
            ["STAGECAST_API_TOKEN"] = "sct_proxy_test_token_0123456789abcdefghij",
        };
        await using var server = await ServerProcess.StartAsync(null, environment, "--webhooks-allow-private");
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = new StagecastApiClient(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, "proxy-account", "proxy-app", environment["STAGECAST_API_TOKEN"]);
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "direct", url = receiver.Url, events = new[] { "meeting.started" } }))).EnsureOk();

        string meeting = await api.CreateMeetingAsync();
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "p"));
        await using var _ = client;
        var received = await receiver.WaitForAsync(r => r.Count >= 1, TimeSpan.FromSeconds(30));
        Assert.Equal("meeting.started", received[0].Event);
        Assert.False(proxy.Pending());
    }
}
