using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>
/// The API rate limit on a clock that stands still (no bucket refills, however fast or slow the machine), and the
/// hostile tester's attacks on it, replayed.
/// </summary>
public sealed class ApiRateLimitTests
{
    [Fact]
    public async Task RateLimitedRequestsGet429WithRetryAfter()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Api:RequestsPerSecond=5"],
            builder => builder.Services.AddSingleton<TimeProvider>(clock))).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/livestreams?per_page=1")).Status); // the burst: twice the rate
        }

        var limited = await api.GetAsync("/livestreams?per_page=1");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal(429, limited.ErrorCode);
        Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task EverySpellingOfBearerThatAuthenticatesSharesTheCredentialsOneRate()
    {
        // The clock stands still, so no bucket refills: exactly the burst (twice the rate) gets through.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Api:RequestsPerSecond=5"],
            builder => builder.Services.AddSingleton<TimeProvider>(clock))).AsAsyncDisposable(out var fixture);
        var tenant = await fixture.NewTenantAsync();

        // The attack: one token, sent under every spelling authentication accepts, each of which had a bucket of its own.
        string[] spellings = ["Bearer", "bearer", "BEARER", "bEaReR", "Bearer ", "Bearer  ", "bearer   "];
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 60; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{tenant.Base}/livestreams");
            request.Headers.TryAddWithoutValidation("Authorization", $"{spellings[i % spellings.Length]} {tenant.Token}");
            using var response = await fixture.Http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(50, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
