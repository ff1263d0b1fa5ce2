using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Stagecast.Media.Hls;

/// <summary>Writes playlist text straight into a UTF-8 buffer, formatting numbers without intermediate strings.</summary>
internal readonly struct AsciiWriter(IBufferWriter<byte> output)
{

    public void Write(ReadOnlySpan<byte> text) => output.Write(text);

    public void Write(long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Writes a decimal with the given format, e.g. "F5" or "0.0####".</summary>
    public void Write(double value, string format)
    {
        var span = output.GetSpan(32);
        value.TryFormat(span, out int written, format, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    public void WriteDate(DateTimeOffset value)
    {
        var span = output.GetSpan(32);
        value.UtcDateTime.TryFormat(span, out int written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    public void Write(string ascii)
    {
        var span = output.GetSpan(Math.Max(ascii.Length * 3, 1));
        Utf8.FromUtf16(ascii, span, out _, out int written);
        output.Advance(written);
    }

    public void WriteNewline() => output.Write("\n"u8);

}
