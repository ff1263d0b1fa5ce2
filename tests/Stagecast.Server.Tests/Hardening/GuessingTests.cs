using System.Net;
using System.Net.Http.Headers;
using Stagecast.Streaming.Limits;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>Guessers are slowed and told to wait; users with valid credentials, even behind the same address, are not.</summary>
public sealed class GuessingTests
{
    [Fact]
    public async Task TokenGuessingFromOneAddressGets429sWhileValidTokensFromAnyAddressWork()
    {
        await using var server = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var fixture);
        var tenant = await fixture.NewTenantAsync();
        using var guesser = new HttpClient { BaseAddress = new Uri(fixture.HttpBase) };
        int refused = 0;
        HttpResponseMessage? limited = null;
        for (int i = 0; i < FailedAttemptThrottle.MaxFailuresPerWindow + 3; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, $"{tenant.Base}/livestreams");
            guess.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"sct_guess{i}");
            var response = await guesser.SendAsync(guess);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                refused++;
            }
            else
            {
                limited = response;
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            }
        }

        Assert.Equal(FailedAttemptThrottle.MaxFailuresPerWindow, refused);
        Assert.NotNull(limited);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Contains("too many refused tokens from this address", await limited.Content.ReadAsStringAsync());

        // The user on another address is untouched, and so is a valid token from the guesser's own address.
        using var elsewhere = new HttpClient(SourceAddress.Handler(IPAddress.Parse("127.0.0.2"))) { BaseAddress = new Uri(fixture.HttpBase) };
        Assert.Equal(HttpStatusCode.OK, (await tenant.WithClient(elsewhere).GetAsync("/livestreams")).Status);
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("/livestreams")).Status);
    }

    [Fact]
    public async Task AValidStreamKeyPublishesFromAnAddressThrottledForBadKeys()
    {
        await using var server = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var fixture);
        var tenant = await fixture.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string ingest = livestream.IngestServer;
        string lastError = "";
        for (int i = 0; i <= FailedAttemptThrottle.MaxFailuresPerWindow; i++)
        {
            await using var guess = Ffmpeg.Publish($"{ingest}/guess{i:D28}", Ffmpeg.VideoOnly(2));
            Assert.NotEqual(0, await guess.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            lastError = guess.StandardError;
        }

        Assert.Contains("answers are slowed down", lastError);

        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(20, "320x180"));
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE");
    }
}
