using Stagecast.Media;
using Stagecast.Media.Amf0;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Ingest;

/// <summary>Reads onMetaData from an AMF0 data message: "@setDataFrame" "onMetaData" {…} or "onMetaData" {…}.</summary>
internal static class MetadataReader
{
    public static StreamMetadata? TryRead(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Amf0Reader(payload);
            var handler = reader.ReadStringBytes();
            if (handler.SequenceEqual("@setDataFrame"u8))
            {
                handler = reader.ReadStringBytes();
            }

            if (!handler.SequenceEqual("onMetaData"u8) || reader.IsAtEnd || reader.ReadValue() is not AmfObject values)
            {
                return null;
            }

            return new StreamMetadata(
                ToInt(values.GetNumber("width")),
                ToInt(values.GetNumber("height")),
                values.GetNumber("framerate") ?? values.GetNumber("fps"),
                values.GetNumber("videodatarate"),
                values.GetNumber("audiodatarate"),
                values.GetString("encoder"));
        }
        catch (MediaFormatException)
        {
            return null;
        }
    }

    private static int? ToInt(double? value) => value is > 0 and < 100_000 ? (int)value.Value : null;
}
