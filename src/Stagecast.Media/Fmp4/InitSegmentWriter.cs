using Stagecast.Media.Codecs;

namespace Stagecast.Media.Fmp4;

/// <summary>
/// Writes a CMAF/fMP4 initialization segment (ISO/IEC 14496-12): ftyp and a moov with one trak per track,
/// empty sample tables and an mvex that announces movie fragments.
/// </summary>
public static class InitSegmentWriter
{
    private static readonly uint[] UnityMatrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

    public static byte[] Write(TrackLayout layout)
    {
        if (layout.IsEmpty)
        {
            throw new ArgumentException("an init segment needs at least one track", nameof(layout));
        }

        var box = new BoxBuffer(2048);
        int ftyp = box.StartBox("ftyp"u8);
        box.WriteBytes("iso5"u8);
        box.WriteUInt32(512);
        box.WriteBytes("iso5iso6mp41cmfc"u8);
        box.EndBox(ftyp);

        int moov = box.StartBox("moov"u8);
        WriteMovieHeader(box, layout.Video is not null && layout.Audio is not null ? 3u : 2u);
        if (layout.Video is { } video)
        {
            WriteVideoTrack(box, layout.VideoTrackId, video);
        }

        if (layout.Audio is { } audio)
        {
            WriteAudioTrack(box, layout.AudioTrackId, audio);
        }

        int mvex = box.StartBox("mvex"u8);
        if (layout.Video is not null)
        {
            WriteTrackExtends(box, layout.VideoTrackId);
        }

        if (layout.Audio is not null)
        {
            WriteTrackExtends(box, layout.AudioTrackId);
        }

        box.EndBox(mvex);
        box.EndBox(moov);
        return box.ToArray();
    }

    private static void WriteMovieHeader(BoxBuffer box, uint nextTrackId)
    {
        int mvhd = box.StartFullBox("mvhd"u8, 0, 0);
        box.WriteUInt32(0); // creation_time
        box.WriteUInt32(0); // modification_time
        box.WriteUInt32(1000); // timescale
        box.WriteUInt32(0); // duration: unknown for a live stream
        box.WriteUInt32(0x00010000); // rate 1.0
        box.WriteUInt16(0x0100); // volume 1.0
        box.WriteZeros(10);
        WriteMatrix(box);
        box.WriteZeros(24); // pre_defined
        box.WriteUInt32(nextTrackId);
        box.EndBox(mvhd);
    }

    private static void WriteVideoTrack(BoxBuffer box, uint trackId, VideoTrackConfig video)
    {
        int trak = box.StartBox("trak"u8);
        WriteTrackHeader(box, trackId, volume: 0, video.Width, video.Height);
        int mdia = box.StartBox("mdia"u8);
        WriteMediaHeader(box, TrackLayout.VideoTimescale);
        WriteHandler(box, "vide"u8, "VideoHandler"u8);
        int minf = box.StartBox("minf"u8);
        int vmhd = box.StartFullBox("vmhd"u8, 0, 1);
        box.WriteZeros(8); // graphicsmode, opcolor
        box.EndBox(vmhd);
        WriteDataInformation(box);
        int stbl = box.StartBox("stbl"u8);
        int stsd = box.StartFullBox("stsd"u8, 0, 0);
        box.WriteUInt32(1);
        WriteVisualSampleEntry(box, video);
        box.EndBox(stsd);
        WriteEmptySampleTables(box);
        box.EndBox(stbl);
        box.EndBox(minf);
        box.EndBox(mdia);
        box.EndBox(trak);
    }

    private static void WriteAudioTrack(BoxBuffer box, uint trackId, AudioTrackConfig audio)
    {
        int trak = box.StartBox("trak"u8);
        WriteTrackHeader(box, trackId, volume: 0x0100, 0, 0);
        int mdia = box.StartBox("mdia"u8);
        WriteMediaHeader(box, (uint)audio.SampleRate);
        WriteHandler(box, "soun"u8, "SoundHandler"u8);
        int minf = box.StartBox("minf"u8);
        int smhd = box.StartFullBox("smhd"u8, 0, 0);
        box.WriteZeros(4); // balance, reserved
        box.EndBox(smhd);
        WriteDataInformation(box);
        int stbl = box.StartBox("stbl"u8);
        int stsd = box.StartFullBox("stsd"u8, 0, 0);
        box.WriteUInt32(1);
        WriteAudioSampleEntry(box, audio);
        box.EndBox(stsd);
        WriteEmptySampleTables(box);
        box.EndBox(stbl);
        box.EndBox(minf);
        box.EndBox(mdia);
        box.EndBox(trak);
    }

    private static void WriteTrackHeader(BoxBuffer box, uint trackId, ushort volume, int width, int height)
    {
        int tkhd = box.StartFullBox("tkhd"u8, 0, 0x000003); // track_enabled | track_in_movie
        box.WriteUInt32(0); // creation_time
        box.WriteUInt32(0); // modification_time
        box.WriteUInt32(trackId);
        box.WriteUInt32(0); // reserved
        box.WriteUInt32(0); // duration
        box.WriteZeros(8);
        box.WriteUInt16(0); // layer
        box.WriteUInt16(0); // alternate_group
        box.WriteUInt16(volume);
        box.WriteUInt16(0);
        WriteMatrix(box);
        box.WriteUInt32((uint)width << 16);
        box.WriteUInt32((uint)height << 16);
        box.EndBox(tkhd);
    }

    private static void WriteMediaHeader(BoxBuffer box, uint timescale)
    {
        int mdhd = box.StartFullBox("mdhd"u8, 0, 0);
        box.WriteUInt32(0);
        box.WriteUInt32(0);
        box.WriteUInt32(timescale);
        box.WriteUInt32(0);
        box.WriteUInt16(0x55C4); // language "und", ISO-639-2/T packed
        box.WriteUInt16(0);
        box.EndBox(mdhd);
    }

    private static void WriteHandler(BoxBuffer box, ReadOnlySpan<byte> handlerType, ReadOnlySpan<byte> name)
    {
        int hdlr = box.StartFullBox("hdlr"u8, 0, 0);
        box.WriteUInt32(0); // pre_defined
        box.WriteBytes(handlerType);
        box.WriteZeros(12);
        box.WriteBytes(name);
        box.WriteUInt8(0);
        box.EndBox(hdlr);
    }

    private static void WriteDataInformation(BoxBuffer box)
    {
        int dinf = box.StartBox("dinf"u8);
        int dref = box.StartFullBox("dref"u8, 0, 0);
        box.WriteUInt32(1);
        int url = box.StartFullBox("url "u8, 0, 1); // self-contained
        box.EndBox(url);
        box.EndBox(dref);
        box.EndBox(dinf);
    }

    private static void WriteVisualSampleEntry(BoxBuffer box, VideoTrackConfig video)
    {
        var (entryType, configType) = video.Codec switch
        {
            VideoCodec.H264 => ("avc1"u8.ToArray(), "avcC"u8.ToArray()),
            VideoCodec.H265 => ("hvc1"u8.ToArray(), "hvcC"u8.ToArray()),
            _ => ("av01"u8.ToArray(), "av1C"u8.ToArray()),
        };
        int entry = box.StartBox(entryType);
        box.WriteZeros(6);
        box.WriteUInt16(1); // data_reference_index
        box.WriteZeros(16); // pre_defined, reserved
        box.WriteUInt16((ushort)video.Width);
        box.WriteUInt16((ushort)video.Height);
        box.WriteUInt32(0x00480000); // 72 dpi
        box.WriteUInt32(0x00480000);
        box.WriteUInt32(0);
        box.WriteUInt16(1); // frame_count
        box.WriteZeros(32); // compressorname
        box.WriteUInt16(0x0018); // depth
        box.WriteInt16(-1);
        int config = box.StartBox(configType);
        box.WriteBytes(video.ConfigurationRecord);
        box.EndBox(config);
        box.EndBox(entry);
    }

    private static void WriteAudioSampleEntry(BoxBuffer box, AudioTrackConfig audio)
    {
        int entry = box.StartBox("mp4a"u8);
        box.WriteZeros(6);
        box.WriteUInt16(1); // data_reference_index
        box.WriteZeros(8);
        box.WriteUInt16((ushort)Math.Min(audio.Channels, 2));
        box.WriteUInt16(16); // samplesize
        box.WriteUInt32(0); // pre_defined, reserved
        box.WriteUInt32(audio.SampleRate <= ushort.MaxValue ? (uint)audio.SampleRate << 16 : 0);
        EsdsWriter.Write(box, audio.SpecificConfig);
        box.EndBox(entry);
    }

    private static void WriteEmptySampleTables(BoxBuffer box)
    {
        foreach (var type in new[] { "stts"u8.ToArray(), "stsc"u8.ToArray(), "stco"u8.ToArray() })
        {
            int table = box.StartFullBox(type, 0, 0);
            box.WriteUInt32(0);
            box.EndBox(table);
        }

        int stsz = box.StartFullBox("stsz"u8, 0, 0);
        box.WriteUInt32(0);
        box.WriteUInt32(0);
        box.EndBox(stsz);
    }

    private static void WriteTrackExtends(BoxBuffer box, uint trackId)
    {
        int trex = box.StartFullBox("trex"u8, 0, 0);
        box.WriteUInt32(trackId);
        box.WriteUInt32(1); // default_sample_description_index
        box.WriteUInt32(0);
        box.WriteUInt32(0);
        box.WriteUInt32(0);
        box.EndBox(trex);
    }

    private static void WriteMatrix(BoxBuffer box)
    {
        foreach (uint value in UnityMatrix)
        {
            box.WriteUInt32(value);
        }
    }
}
