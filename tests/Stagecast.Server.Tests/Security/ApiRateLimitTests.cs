using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Stagecast.Server.Tests.Security;

/// <summary>The hostile tester's attacks on the API rate limit, replayed.</summary>
public sealed class ApiRateLimitTests
{
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
