using Stagecast.Compositor.Video;

namespace Stagecast.Compositor.Tests;

public sealed class LayoutTests
{
    private static List<TileSource> Cameras(int count) => [.. Enumerable.Range(0, count).Select(i => new TileSource($"p{i}", $"P{i}", false))];

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(3, 2, 2)]
    [InlineData(4, 2, 2)]
    [InlineData(5, 3, 2)]
    [InlineData(9, 3, 3)]
    public void CamerasMakeAGridOfSixteenByNinePicturesThatDoNotOverlap(int count, int columns, int rows)
    {
        var tiles = ProgramLayout.Arrange(Cameras(count), null, 1280, 720);

        Assert.Equal(count, tiles.Count);
        Assert.Equal(columns, tiles.Count(t => t.Cell.Y == tiles.Min(x => x.Cell.Y)));
        Assert.Equal(rows, tiles.Select(t => t.Cell.Y).Distinct().Count());
        foreach (var tile in tiles)
        {
            var p = tile.Picture;
            Assert.InRange(p.Width / (double)p.Height, 16 / 9.0 - 0.02, 16 / 9.0 + 0.02);
            Assert.True(p.X >= tile.Cell.X && p.Y >= tile.Cell.Y && p.X + p.Width <= tile.Cell.X + tile.Cell.Width && p.Y + p.Height <= tile.Cell.Y + tile.Cell.Height);
            Assert.True(p.X % 2 == 0 && p.Y % 2 == 0 && p.Width % 2 == 0 && p.Height % 2 == 0, $"{p} is not on even pixels");
            Assert.True(p.X >= 0 && p.Y >= 0 && p.X + p.Width <= 1280 && p.Y + p.Height <= 720);
        }

        foreach (var a in tiles)
        {
            foreach (var b in tiles.Where(t => t != a))
            {
                bool apart = a.Cell.X + a.Cell.Width <= b.Cell.X || b.Cell.X + b.Cell.Width <= a.Cell.X
                    || a.Cell.Y + a.Cell.Height <= b.Cell.Y || b.Cell.Y + b.Cell.Height <= a.Cell.Y;
                Assert.True(apart, $"{a.Cell} overlaps {b.Cell}");
            }
        }
    }

    [Fact]
    public void AShorterLastRowIsCentredAndMoreThanNineCamerasShowTheFirstNine()
    {
        var three = ProgramLayout.Arrange(Cameras(3), null, 1280, 720);
        var last = three[2].Cell;
        Assert.InRange(last.X + (last.Width / 2), 630, 650);

        var twelve = ProgramLayout.Arrange(Cameras(12), null, 1280, 720);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"p{i}"), twelve.Select(t => t.Source.Key));
    }

    [Fact]
    public void AScreenShareIsLargeWithTheCamerasInAStripBesideIt()
    {
        var screen = new TileSource("s", "Ada's screen", true);
        var tiles = ProgramLayout.Arrange(Cameras(3), screen, 1280, 720);

        Assert.Equal(4, tiles.Count);
        Assert.Same(screen, tiles[0].Source);
        Assert.True(tiles[0].Picture.Width > 900, $"{tiles[0].Picture}");
        Assert.All(tiles.Skip(1), t => Assert.True(t.Cell.X >= tiles[0].Cell.X + tiles[0].Cell.Width, $"{t.Cell} is not beside the screen"));
        Assert.All(tiles.Skip(1), t => Assert.True(t.Picture.Width < 330));

        var alone = Assert.Single(ProgramLayout.Arrange([], screen, 1280, 720));
        Assert.True(alone.Picture.Height >= 700, $"a screen share alone takes the program: {alone.Picture}");
    }

    [Fact]
    public void AnOddlyShapedProgramKeepsThePicturesAspectByLetterboxing()
    {
        var tiles = ProgramLayout.Arrange(Cameras(1), null, 720, 1280);
        var p = Assert.Single(tiles).Picture;
        Assert.InRange(p.Width / (double)p.Height, 16 / 9.0 - 0.02, 16 / 9.0 + 0.02);
        Assert.True(p.Height < 500 && p.Y > 300, $"{p} is not letterboxed in a portrait program");
    }
}
