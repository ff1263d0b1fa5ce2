using Stagecast.Media;
using Stagecast.Media.Amf0;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.Rtmp.Ingest;

/// <summary>
/// Reads onMetaData from an AMF0 data message: "@setDataFrame" "onMetaData" {…} or "onMetaData" {…}; and the tracks
/// its <c>videocodecid</c> and <c>audiocodecid</c> name (a legacy id or an Enhanced RTMP FourCC, as a number or text)
/// that the hub carries, which the publisher declares.
/// </summary>
internal static class MetadataReader
{
    private const double LegacyAvc = 7;
    private const double LegacyHevc = 12;

    public static StreamMetadata? TryRead(ReadOnlySpan<byte> payload, out StreamTracks? tracks)
    {
        tracks = null;
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

            tracks = Tracks(values);
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

    /// <summary>The tracks the codec ids name, when it names any: an encoder writes the id of each track it sends.</summary>
    private static StreamTracks? Tracks(AmfObject values)
    {
        if (!values.ContainsKey("videocodecid") && !values.ContainsKey("audiocodecid"))
        {
            return null;
        }

        bool video = Code(values["videocodecid"]) is LegacyAvc or LegacyHevc or FourCc.Avc1 or FourCc.Hvc1 or FourCc.Av01;
        bool audio = Code(values["audiocodecid"]) is FlvAudioTag.SoundFormatAac or FourCc.Mp4a;
        return (video ? StreamTracks.Video : StreamTracks.None) | (audio ? StreamTracks.Audio : StreamTracks.None);
    }

    /// <summary>A codec id as a number: as written, or a FourCC written as text ("hvc1").</summary>
    private static double? Code(object? id) => id switch
    {
        double number => number,
        string { Length: 4 } text => ((uint)text[0] << 24) | ((uint)text[1] << 16) | ((uint)text[2] << 8) | text[3],
        _ => null,
    };

    private static int? ToInt(double? value) => value is > 0 and < 100_000 ? (int)value.Value : null;
}
