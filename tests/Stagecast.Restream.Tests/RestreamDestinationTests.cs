namespace Stagecast.Restream.Tests;

public class RestreamDestinationTests
{
    [Theory]
    [InlineData("rtmp://a.rtmp.youtube.com/live2", "abcd-1234", "rtmp://a.rtmp.youtube.com/live2", "live2", "abcd-1234")]
    [InlineData("rtmps://live-api-s.facebook.com:443/rtmp/", "FB-1", "rtmps://live-api-s.facebook.com:443/rtmp", "rtmp", "FB-1")]
    [InlineData("rtmp://127.0.0.1:1935/app/nested", "k", "rtmp://127.0.0.1:1935/app/nested", "app/nested", "k")]
    [InlineData("rtmp://127.0.0.1:1935/app/key-in-url", "", "rtmp://127.0.0.1:1935/app", "app", "key-in-url")]
    public void SplitsUrlAndKeyIntoConnectAndPublish(string url, string key, string tcUrl, string app, string name)
    {
        var destination = new RestreamDestination(new Uri(url), key);
        Assert.Equal((tcUrl, app, name), (destination.TcUrl, destination.App, destination.StreamName));
    }

    [Theory]
    [InlineData("rtmp://host/app", true)]
    [InlineData("rtmps://host:443/app", true)]
    [InlineData("rtmp://host", false)]
    [InlineData("http://host/app", false)]
    [InlineData("srt://host:9000", false)]
    public void OnlyRtmpUrlsWithAnApplicationAreSupported(string url, bool supported) =>
        Assert.Equal(supported, RestreamDestination.IsSupported(new Uri(url)));

    [Theory]
    [InlineData("rtmp://a.rtmp.youtube.com/live2/abcd-1234", "rtmp://a.rtmp.youtube.com/live2/****")]
    [InlineData("rtmps://live.twitch.tv:443/app/live_123?bandwidthtest=true", "rtmps://live.twitch.tv:443/app/****")]
    [InlineData("rtmp://user:secret@host/app/key", "rtmp://****@host/app/****")]
    [InlineData("rtmp://host/only-key", "rtmp://host/****")]
    [InlineData("not a url with key-123", "****")]
    public void AMaskedUrlShowsWhereButNeverTheKey(string url, string masked) => Assert.Equal(masked, RestreamDestination.Mask(url));
}
