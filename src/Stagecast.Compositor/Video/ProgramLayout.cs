namespace Stagecast.Compositor.Video;

/// <summary>Something that gets a tile in the program: a participant's camera (or its name, without video) or a screen share.</summary>
public sealed record TileSource(string Key, string Name, bool IsScreen);

/// <summary>A tile's place: its cell and, inside it, the 16:9 picture area (the pictures themselves keep their aspect inside that).</summary>
public readonly record struct PlacedTile(TileSource Source, PixelRect Cell, PixelRect Picture);

/// <summary>
/// Where each tile goes. Without a screen share: a grid of the cameras, as square as the count allows, the last row
/// centred. With one: the screen share large on the left and the cameras in a strip on the right. Every picture area
/// keeps 16:9 inside its cell, so nothing is stretched.
/// </summary>
public static class ProgramLayout
{
    /// <summary>At most this many cameras are shown; the caller picks the most recent speakers.</summary>
    public const int MaxCameras = 9;

    public static IReadOnlyList<PlacedTile> Arrange(IReadOnlyList<TileSource> cameras, TileSource? screen, int width, int height)
    {
        var tiles = new List<PlacedTile>();
        int gap = Math.Max(2, width / 160) & ~1;
        var shown = cameras.Take(MaxCameras).ToList();
        var area = new PixelRect(0, 0, width, height);
        if (screen is not null)
        {
            int strip = shown.Count == 0 ? 0 : width / 4;
            var main = new PixelRect(gap, gap, width - strip - (2 * gap), height - (2 * gap)).Even();
            tiles.Add(new PlacedTile(screen, main, main.Fit(16, 9)));
            if (shown.Count == 0)
            {
                return tiles;
            }

            area = new PixelRect(width - strip, 0, strip, height);
            int cellHeight = Math.Min(height / shown.Count, (strip * 9 / 16) + gap);
            int top = (height - (cellHeight * shown.Count)) / 2;
            for (int i = 0; i < shown.Count; i++)
            {
                var cell = new PixelRect(area.X, top + (i * cellHeight), strip - gap, cellHeight - gap).Even();
                tiles.Add(new PlacedTile(shown[i], cell, cell.Fit(16, 9)));
            }

            return tiles;
        }

        if (shown.Count == 0)
        {
            return tiles;
        }

        int columns = (int)Math.Ceiling(Math.Sqrt(shown.Count));
        int rows = (int)Math.Ceiling(shown.Count / (double)columns);
        int cellWidth = (width - gap) / columns;
        int cellH = (height - gap) / rows;
        for (int i = 0; i < shown.Count; i++)
        {
            int row = i / columns;
            int column = i % columns;
            int inRow = row == rows - 1 ? shown.Count - (row * columns) : columns;
            int left = gap + ((columns - inRow) * cellWidth / 2); // a shorter last row is centred
            var cell = new PixelRect(left + (column * cellWidth), gap + (row * cellH), cellWidth - gap, cellH - gap).Even();
            tiles.Add(new PlacedTile(shown[i], cell, cell.Fit(16, 9)));
        }

        return tiles;
    }
}
