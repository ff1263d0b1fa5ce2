using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The whole server in-process on free loopback ports, with an in-memory key table.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("stagecast-test-").FullName;

    public TestPublishAuthorizer Keys { get; } = new();

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string HttpBase { get; private set; } = null!;

    public string RtmpBase { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = StagecastApp.Build(
            ["--http-port", "0", "--rtmp-port", "0", "--bind", "127.0.0.1", "--data-dir", _dataDir],
            builder => builder.Services.AddSingleton<IPublishAuthorizer>(Keys));
        await App.StartAsync();
        var endpoints = App.Services.GetRequiredService<ListeningEndpoints>();
        HttpBase = $"http://127.0.0.1:{endpoints.HttpEndPoint.Port}";
        RtmpBase = $"rtmp://127.0.0.1:{endpoints.RtmpEndPoint.Port}/live";
        Http = new HttpClient { BaseAddress = new Uri(HttpBase), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A fresh stream id and key, registered with the server.</summary>
    public (string StreamId, string Key) NewStream()
    {
        string id = Guid.NewGuid().ToString();
        string key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Keys.Add(key, id);
        return (id, key);
    }

    public string PlaybackUrl(string streamId) => $"{HttpBase}/{streamId}/manifest/video.m3u8";

    /// <summary>Waits until the playback URL answers 200 (the stream produced its first part).</summary>
    public async Task WaitUntilPlayableAsync(string streamId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var response = await Http.GetAsync(PlaybackUrl(streamId));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"stream {streamId} did not become playable");
    }

    /// <summary>The media playlist URL a player would get from the playback URL.</summary>
    public async Task<string> MediaPlaylistUrlAsync(string streamId)
    {
        string multivariant = await Http.GetStringAsync(PlaybackUrl(streamId));
        return $"{HttpBase}/{streamId}/manifest/{multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]}";
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
