using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;

namespace Stagecast.Transcoding.Tests;

public sealed class RenditionOutputTests
{
    [Fact]
    public void PicturesTheHubHoldsForTheAudiosConfigurationLeaveTheRenditionStartingUntilReadersHaveThem()
    {
        var hub = new RenditionHub(TimeProvider.System, NullLogger<StreamHub>.Instance);
        Assert.Equal(PublishResult.Started, hub.Hub.TryPublish("live/180p", new PublisherInfo("transcoder", "127.0.0.1"), out var publisher));
        var output = new RenditionOutput(new Rendition("180p", 180, 300_000), publisher!, DateTimeOffset.UnixEpoch);
        publisher!.DeclareTracks(StreamTracks.Video | StreamTracks.Audio);
        publisher.SetVideoConfig(SyntheticMedia.Video720p);

        output.Published(1000);
        Assert.Equal(long.MinValue, output.Newest); // held: no reader has it yet
        Assert.Equal(RenditionState.Starting, output.Judge(1000, 1000, 3000));

        publisher.SetAudioConfig(SyntheticMedia.Audio48k);
        output.Published(1040);
        Assert.Equal(1040, output.Newest);
        Assert.Equal(RenditionState.Live, output.Judge(1040, 1000, 3000));
        output.Stop();
    }
}
