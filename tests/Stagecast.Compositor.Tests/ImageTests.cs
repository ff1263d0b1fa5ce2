using Stagecast.Compositor.Video;

namespace Stagecast.Compositor.Tests;

public sealed class ImageTests
{
    [Fact]
    public void DrawingScalesIntoTheTargetOnlyAndKeepsFlatColoursExact()
    {
        var source = new I420Image(320, 180);
        source.Fill(new YuvColor(200, 90, 160));
        var canvas = new I420Image(1280, 720);
        canvas.Fill(YuvColor.Background);

        var target = new PixelRect(100, 50, 640, 360);
        canvas.Draw(source, target);

        Assert.Equal(200, canvas.Y[(60 * 1280) + 110]);
        Assert.Equal(200, canvas.Y[(409 * 1280) + 739]);
        Assert.Equal(90, canvas.U[(30 * 640) + 60]);
        Assert.Equal(160, canvas.V[(30 * 640) + 60]);
        Assert.Equal(YuvColor.Background.Y, canvas.Y[(49 * 1280) + 110]); // above
        Assert.Equal(YuvColor.Background.Y, canvas.Y[(60 * 1280) + 740]); // right of it
        Assert.Equal(YuvColor.Background.U, canvas.U[(24 * 640) + 60]);
    }

    [Fact]
    public void ALeftToRightRampStaysARampWhenScaled()
    {
        var source = new I420Image(64, 36);
        for (int y = 0; y < 36; y++)
        {
            for (int x = 0; x < 64; x++)
            {
                source.Y[(y * 64) + x] = (byte)(x * 4);
            }
        }

        var canvas = new I420Image(256, 144);
        canvas.Draw(source, new PixelRect(0, 0, 256, 144));
        var row = canvas.Y.Slice(70 * 256, 256).ToArray();
        for (int x = 1; x < row.Length; x++)
        {
            Assert.True(row[x] >= row[x - 1], $"not monotonic at {x}: {row[x - 1]} then {row[x]}");
        }

        Assert.InRange(row[128], 120, 136); // the middle of the ramp
    }

    [Fact]
    public void FitLetterboxesAndPillarboxesOnEvenPixels()
    {
        Assert.Equal(new PixelRect(0, 140, 640, 360), new PixelRect(0, 0, 640, 640).Fit(16, 9));
        var pillar = new PixelRect(0, 0, 1000, 360).Fit(16, 9);
        Assert.Equal((180, 0, 640, 360), (pillar.X, pillar.Y, pillar.Width, pillar.Height));
        var odd = new PixelRect(1, 1, 333, 201).Fit(16, 9);
        Assert.True(odd.X % 2 == 0 && odd.Y % 2 == 0 && odd.Width % 2 == 0 && odd.Height % 2 == 0, odd.ToString());
    }

    [Fact]
    public void AMaskIsBlendedInWhiteWhereItCoversAndClippedAtTheEdges()
    {
        var canvas = new I420Image(64, 32);
        canvas.Fill(YuvColor.Black);
        byte[] mask = [255, 128, 0, 255];
        canvas.DrawMask(mask, 2, 2, 62, 30);
        canvas.DrawMask(mask, 2, 2, -1, -1); // mostly outside: no exception

        Assert.Equal(235, canvas.Y[(30 * 64) + 62]);
        Assert.InRange(canvas.Y[(30 * 64) + 63], 120, 130);
        Assert.Equal(16, canvas.Y[(31 * 64) + 62]);
        Assert.Equal(235, canvas.Y[0]);
    }
}
