using Stagecast.Media.MpegTs;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Transcoding.Tests;

/// <summary>ffmpeg's 90 kHz times back to the source's milliseconds, as TsEgress sent them, across the 33-bit wrap.</summary>
public class SourceTimelineTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1_000, 1_000)]
    [InlineData(1_033, 980)] // a frame slightly after the source's newest (audio ahead of video)
    [InlineData(95_443_000, 95_443_700)] // 26.5 hours: the wrap is between the two
    [InlineData(95_444_000, 95_443_700)]
    [InlineData(200_000_000, 200_000_020)]
    public void TimesComeBackAsTheSourceSentThem(long ms, long sourceNewestMs)
    {
        long sent = ((ms * 90) + TsEgress.TimelineOffset) & (TsTimestamp.Modulo - 1);
        Assert.Equal(ms, SourceTimeline.Milliseconds(sent, sourceNewestMs));
    }
}
