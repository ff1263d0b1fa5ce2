using System.Net;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>Webhook management over REST and Cloudflare's SDK, its validation, and the server-side request forgery policy.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class WebhookApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task TheSdkManagesWebhooks()
    {
        var tenant = await server.NewTenantAsync();
        await using var sdk = CloudflareSdk.Start(server.HttpBase, tenant.Token);
        var ids = new { account_id = tenant.AccountId, app_id = tenant.AppId };
        var created = (await sdk.CallAsync("realtimeKit.webhooks.createWebhook", tenant.AppId, new
        {
            account_id = tenant.AccountId, name = "crm", url = "http://127.0.0.1:9/hook", events = new[] { "meeting.started", "meeting.ended" },
        })).GetProperty("data");
        string id = created.GetProperty("id").GetString()!;
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.Equal(["meeting.started", "meeting.ended"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(id, (await sdk.CallAsync("realtimeKit.webhooks.getWebhooks", tenant.AppId, new { account_id = tenant.AccountId })).GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal("crm", (await sdk.CallAsync("realtimeKit.webhooks.getWebhookByID", id, ids)).GetProperty("data").GetProperty("name").GetString());
        var edited = (await sdk.CallAsync("realtimeKit.webhooks.editWebhook", id, new { account_id = tenant.AccountId, app_id = tenant.AppId, enabled = false })).GetProperty("data");
        Assert.False(edited.GetProperty("enabled").GetBoolean());
        Assert.Equal("crm", edited.GetProperty("name").GetString());
        var replaced = (await sdk.CallAsync("realtimeKit.webhooks.replaceWebhook", id, new
        {
            account_id = tenant.AccountId, app_id = tenant.AppId, name = "crm-2", url = "http://127.0.0.1:9/other", events = new[] { "livestreaming.statusUpdate" },
        })).GetProperty("data");
        Assert.Equal(("crm-2", true), (replaced.GetProperty("name").GetString(), replaced.GetProperty("enabled").GetBoolean()));
        Assert.Equal(id, (await sdk.CallAsync("realtimeKit.webhooks.deleteWebhook", id, ids)).GetProperty("data").GetProperty("id").GetString());
        var (status, _) = await sdk.CallFailingAsync("realtimeKit.webhooks.getWebhookByID", id, ids);
        Assert.Equal(404, status);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1:9/h","events":["meeting.started"]}""", "\"name\" is required")]
    [InlineData("""{"name":"n","events":["meeting.started"]}""", "\"url\" is required")]
    [InlineData("""{"name":"n","url":"ftp://example.com/h","events":["meeting.started"]}""", "\"url\" must be an absolute http:// or https:// URL")]
    [InlineData("""{"name":"n","url":"/relative","events":["meeting.started"]}""", "\"url\" must be an absolute http:// or https:// URL")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/h"}""", "\"events\" is required")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/h","events":[]}""", "\"events\" must name at least one event")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/h","events":["meeting.exploded"]}""", "\"events\": meeting.exploded is not one of")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/h","events":["meeting.started"],"enabled":"yes"}""", "\"enabled\" must be true or false")]
    public async Task InvalidWebhooksAre400s(string body, string message)
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/webhooks", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(message, reply.ErrorMessage);
    }

    [Fact]
    public async Task PrivateDestinationsAreRefusedUnlessTheOperatorAllowsThem()
    {
        var strict = await ServerFixture.StartAsync(["--set", "Stagecast:Webhooks:AllowPrivate=false"]);
        await using var _ = strict.AsAsyncDisposable();
        var api = await strict.NewTenantAsync();
        foreach (string url in new[] { "http://127.0.0.1:8080/h", "http://localhost/h", "http://10.1.2.3/h", "http://192.168.0.10/h", "http://172.20.0.1/h",
                     "http://169.254.169.254/latest/meta-data", "http://[::1]/h", "http://[fd00::1]/h", "http://0.0.0.0/h" })
        {
            var reply = await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "x", url, events = new[] { "meeting.started" } }));
            Assert.True(reply.Status == HttpStatusCode.BadRequest, $"{url}: {reply.Status} {reply.Body}");
            Assert.Contains("private, loopback or link-local", reply.ErrorMessage);
        }

        var unresolvable = await api.PostAsync("/webhooks", """{"name":"x","url":"http://no-such-host.invalid/h","events":["meeting.started"]}""");
        Assert.Contains("does not resolve", unresolvable.ErrorMessage);

        // The shared test server runs with --webhooks-allow-private: loopback receivers are fine there.
        var allowed = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await allowed.PostAsync("/webhooks", """{"name":"x","url":"http://127.0.0.1:9/h","events":["meeting.started"]}""")).Status);
    }

    [Fact]
    public async Task UnknownWebhooksAndDeliveriesAre404sAndOtherAppsSeeNothing()
    {
        var api = await server.NewTenantAsync();
        Assert.Equal("No webhook found with id nope", (await api.GetAsync("/webhooks/nope")).ErrorMessage);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/webhooks/nope/deliveries")).Status);
        string id = (await api.PostAsync("/webhooks", """{"name":"x","url":"http://127.0.0.1:9/h","events":["meeting.started"]}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/webhooks/{id}/deliveries/nope/retry")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/webhooks/{id}/deliveries?status=lost")).Status);
        var other = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/webhooks/{id}")).Status);
        Assert.Equal(0, (await other.GetAsync("/webhooks")).Body.GetProperty("paging").GetProperty("total_count").GetInt64());
    }

    [Fact]
    public async Task TheDocumentedVerificationSnippetsAcceptARealDeliveryAndRejectATamperedOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        var api = await server.NewTenantAsync();
        await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "docs", url = receiver.Url, events = new[] { "livestreaming.statusUpdate" } }));
        string meeting = await Meetings.MeetingHelpers.CreateMeetingAsync(api);
        await api.PostAsync($"/meetings/{meeting}/livestreams", "{}");
        await api.PostAsync($"/meetings/{meeting}/active-livestream/stop");
        var delivery = (await receiver.WaitForAsync(r => r.Count >= 1))[0];
        string signature = delivery.Signature;

        // docs/webhooks.md, Node: the three lines, with the body and header this delivery had.
        string body = Path.GetTempFileName();
        await File.WriteAllBytesAsync(body, delivery.Body);
        string script = $$"""
            import { createVerify } from "node:crypto";
            import { readFileSync } from "node:fs";
            const rawBody = readFileSync(process.argv[2]); const request = { headers: { "rtk-signature": process.argv[3] } };
            const { data: { publicKey } } = await (await fetch("{{server.HttpBase}}/.well-known/webhooks.json")).json();
            const valid = createVerify("RSA-SHA256").update(rawBody).verify(publicKey, request.headers["rtk-signature"], "base64");
            console.log(valid);
            """;
        string file = Path.Combine(Path.GetTempPath(), $"verify-{Guid.NewGuid():N}.mjs");
        await File.WriteAllTextAsync(file, script);
        Assert.Equal("true", (await ExternalProcess.RunAsync("node", [file, body, signature], TimeSpan.FromSeconds(30))).Output.Trim());
        await File.WriteAllBytesAsync(body, [.. delivery.Body, (byte)' ']);
        Assert.Equal("false", (await ExternalProcess.RunAsync("node", [file, body, signature], TimeSpan.FromSeconds(30))).Output.Trim());
        File.Delete(file);
        File.Delete(body);
    }

    [Fact]
    public async Task ThePublicKeyIsPublishedInRealtimeKitsShape()
    {
        using var response = await server.Http.GetAsync("/.well-known/webhooks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("success").GetBoolean());
        string pem = json.RootElement.GetProperty("data").GetProperty("publicKey").GetString()!;
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", pem);
        using var key = System.Security.Cryptography.RSA.Create();
        key.ImportFromPem(pem);
        Assert.Equal(2048, key.KeySize);
    }
}
