namespace Stagecast.Compositor.Video;

/// <summary>A rectangle on a picture, in pixels; compositing keeps its corners on even pixels (4:2:0 chroma).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public bool IsEmpty => Width <= 0 || Height <= 0;

    /// <summary>The largest rectangle of the given aspect ratio centred inside this one (letterbox or pillarbox).</summary>
    public PixelRect Fit(int aspectWidth, int aspectHeight)
    {
        int width = Width;
        int height = (int)((long)width * aspectHeight / aspectWidth);
        if (height > Height)
        {
            height = Height;
            width = (int)((long)height * aspectWidth / aspectHeight);
        }

        return new PixelRect(X + ((Width - width) / 2), Y + ((Height - height) / 2), width, height).Even();
    }

    /// <summary>The same rectangle with even corners, shrunk inward by at most a pixel on each side.</summary>
    public PixelRect Even()
    {
        int x = (X + 1) & ~1;
        int y = (Y + 1) & ~1;
        int right = (X + Width) & ~1;
        int bottom = (Y + Height) & ~1;
        return new PixelRect(x, y, Math.Max(0, right - x), Math.Max(0, bottom - y));
    }
}

/// <summary>
/// A picture in planar YUV 4:2:0 (I420: the Y plane, then U, then V, each row packed), the layout ffmpeg reads and
/// writes as <c>yuv420p</c>. Width and height are even. Drawing clips to the picture.
/// </summary>
public sealed class I420Image
{
    public I420Image(int width, int height)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"an I420 picture needs an even, positive size, not {width}x{height}");
        }

        Width = width;
        Height = height;
        Data = new byte[FrameSize(width, height)];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The three planes, back to back.</summary>
    public byte[] Data { get; }

    public static int FrameSize(int width, int height) => (width * height) + (2 * (width / 2) * (height / 2));

    public Span<byte> Y => Data.AsSpan(0, Width * Height);

    public Span<byte> U => Data.AsSpan(Width * Height, (Width / 2) * (Height / 2));

    public Span<byte> V => Data.AsSpan((Width * Height) + ((Width / 2) * (Height / 2)), (Width / 2) * (Height / 2));

    public void Fill(YuvColor color) => FillRect(new PixelRect(0, 0, Width, Height), color);

    public void FillRect(PixelRect rect, YuvColor color)
    {
        rect = Clip(rect);
        if (rect.IsEmpty)
        {
            return;
        }

        for (int row = rect.Y; row < rect.Y + rect.Height; row++)
        {
            Y.Slice((row * Width) + rect.X, rect.Width).Fill(color.Y);
        }

        int chromaWidth = Width / 2;
        for (int row = rect.Y / 2; row < (rect.Y + rect.Height) / 2; row++)
        {
            U.Slice((row * chromaWidth) + (rect.X / 2), rect.Width / 2).Fill(color.U);
            V.Slice((row * chromaWidth) + (rect.X / 2), rect.Width / 2).Fill(color.V);
        }
    }

    /// <summary>
    /// Draws <paramref name="source"/> scaled into <paramref name="target"/> (bilinear on luma, nearest on chroma);
    /// the caller keeps the aspect ratio by choosing the rectangle (<see cref="PixelRect.Fit"/>).
    /// </summary>
    public void Draw(I420Image source, PixelRect target)
    {
        var clipped = Clip(target.Even());
        if (clipped.IsEmpty)
        {
            return;
        }

        // Luma: bilinear, 16.16 fixed point, sampling pixel centres.
        var src = source.Y;
        var dst = Y;
        long stepX = ((long)source.Width << 16) / target.Width;
        long stepY = ((long)source.Height << 16) / target.Height;
        Span<int> x0 = clipped.Width <= 4096 ? stackalloc int[clipped.Width] : new int[clipped.Width];
        Span<int> fx = clipped.Width <= 4096 ? stackalloc int[clipped.Width] : new int[clipped.Width];
        for (int i = 0; i < clipped.Width; i++)
        {
            long sx = Math.Max(0, ((clipped.X - target.X + i) * stepX) + (stepX / 2) - 32768);
            x0[i] = (int)Math.Min(sx >> 16, source.Width - 1);
            fx[i] = x0[i] >= source.Width - 1 ? 0 : (int)(sx & 0xFFFF) >> 8;
        }

        for (int j = 0; j < clipped.Height; j++)
        {
            long sy = Math.Max(0, ((clipped.Y - target.Y + j) * stepY) + (stepY / 2) - 32768);
            int y0 = (int)Math.Min(sy >> 16, source.Height - 1);
            int y1 = Math.Min(y0 + 1, source.Height - 1);
            int fy = (int)(sy & 0xFFFF) >> 8;
            var top = src.Slice(y0 * source.Width, source.Width);
            var bottom = src.Slice(y1 * source.Width, source.Width);
            var row = dst.Slice(((clipped.Y + j) * Width) + clipped.X, clipped.Width);
            for (int i = 0; i < row.Length; i++)
            {
                int a = x0[i];
                int b = Math.Min(a + 1, source.Width - 1);
                int upper = (top[a] * (256 - fx[i])) + (top[b] * fx[i]);
                int lower = (bottom[a] * (256 - fx[i])) + (bottom[b] * fx[i]);
                row[i] = (byte)(((upper * (256 - fy)) + (lower * fy) + 32768) >> 16);
            }
        }

        // Chroma: nearest neighbour on the half-size planes.
        int chromaWidth = Width / 2;
        int sourceChromaWidth = source.Width / 2;
        int sourceChromaHeight = source.Height / 2;
        for (int j = 0; j < clipped.Height / 2; j++)
        {
            int sy = (int)Math.Min((((clipped.Y - target.Y) / 2) + j) * stepY >> 16, sourceChromaHeight - 1);
            for (int i = 0; i < clipped.Width / 2; i++)
            {
                int sx = (int)Math.Min((((clipped.X - target.X) / 2) + i) * stepX >> 16, sourceChromaWidth - 1);
                int from = (sy * sourceChromaWidth) + sx;
                int to = ((((clipped.Y / 2) + j) * chromaWidth) + (clipped.X / 2)) + i;
                U[to] = source.U[from];
                V[to] = source.V[from];
            }
        }
    }

    /// <summary>Darkens a rectangle's luma to <paramref name="percent"/> of its value and pulls its chroma toward grey (a caption's backdrop).</summary>
    public void Shade(PixelRect rect, int percent)
    {
        rect = Clip(rect.Even());
        for (int row = rect.Y; row < rect.Y + rect.Height; row++)
        {
            var line = Y.Slice((row * Width) + rect.X, rect.Width);
            for (int i = 0; i < line.Length; i++)
            {
                line[i] = (byte)(16 + ((line[i] - 16) * percent / 100));
            }
        }

        int chromaWidth = Width / 2;
        for (int row = rect.Y / 2; row < (rect.Y + rect.Height) / 2; row++)
        {
            TowardGrey(U.Slice((row * chromaWidth) + (rect.X / 2), rect.Width / 2), percent);
            TowardGrey(V.Slice((row * chromaWidth) + (rect.X / 2), rect.Width / 2), percent);
        }

        static void TowardGrey(Span<byte> plane, int percent)
        {
            for (int i = 0; i < plane.Length; i++)
            {
                plane[i] = (byte)(128 + ((plane[i] - 128) * percent / 100));
            }
        }
    }

    /// <summary>Blends a coverage mask (0 transparent, 255 opaque; one byte per pixel) in white luma at (x, y).</summary>
    public void DrawMask(ReadOnlySpan<byte> mask, int maskWidth, int maskHeight, int x, int y)
    {
        for (int j = 0; j < maskHeight; j++)
        {
            int row = y + j;
            if (row < 0 || row >= Height)
            {
                continue;
            }

            for (int i = 0; i < maskWidth; i++)
            {
                int column = x + i;
                int alpha = mask[(j * maskWidth) + i];
                if (column < 0 || column >= Width || alpha == 0)
                {
                    continue;
                }

                int index = (row * Width) + column;
                Data[index] = (byte)(((Data[index] * (255 - alpha)) + (235 * alpha)) / 255);
            }
        }
    }

    private PixelRect Clip(PixelRect rect)
    {
        int x = Math.Clamp(rect.X, 0, Width);
        int y = Math.Clamp(rect.Y, 0, Height);
        int right = Math.Clamp(rect.X + rect.Width, 0, Width);
        int bottom = Math.Clamp(rect.Y + rect.Height, 0, Height);
        return new PixelRect(x, y, right - x, bottom - y);
    }
}

/// <summary>A colour in limited-range BT.601 YUV, as the encoder takes it.</summary>
public readonly record struct YuvColor(byte Y, byte U, byte V)
{
    public static YuvColor Black { get; } = new(16, 128, 128);

    /// <summary>The program's background: a dark slate.</summary>
    public static YuvColor Background { get; } = new(40, 136, 124);

    /// <summary>A name tile's face: a lighter slate.</summary>
    public static YuvColor Tile { get; } = new(70, 140, 120);
}
