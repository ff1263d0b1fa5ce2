using System.Buffers.Binary;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.H265;

namespace Stagecast.Media.Codecs;

/// <summary>
/// Turns H.264 or H.265 access units in Annex B format (MPEG-TS) into the form the hub and fMP4 carry: NAL units with
/// 4-byte lengths, parameter sets taken out and kept for the decoder configuration record (avcC, hvcC), access unit
/// delimiters and filler dropped. An access unit with an IDR (H.264) or IRAP (H.265) picture is a keyframe.
/// </summary>
public sealed class AnnexBConverter(VideoCodec codec)
{
    /// <summary>NAL units in one access unit: a picture has one per slice, and encoders use a few dozen slices at most.</summary>
    public const int MaxNalUnitsPerAccessUnit = 1024;

    /// <summary>An H.264 SPS starts with its header, profile, constraint flags and level, which avcC repeats.</summary>
    private const int MinAvcSpsLength = 4;

    private byte[]? _vps;
    private byte[]? _sps;
    private byte[]? _pps;

    public VideoCodec Codec => codec;

    /// <summary>Set when a parameter set changed since it was last cleared (a new configuration record is due).</summary>
    public bool ParameterSetsChanged { get; set; }

    /// <summary>The configuration record of the newest parameter sets, or null while one is missing.</summary>
    public byte[]? ConfigurationRecord() => codec switch
    {
        VideoCodec.H264 when _sps is not null && _pps is not null => AvcDecoderConfigurationRecord.Build(_sps, _pps),
        VideoCodec.H265 when _vps is not null && _sps is not null && _pps is not null => HevcDecoderConfigurationRecord.Build(_vps, _sps, _pps),
        _ => null,
    };

    /// <summary>
    /// Converts one access unit into a buffer rented from <see cref="MediaBufferPool"/> (the caller owns it); false,
    /// with no buffer, when nothing but parameter sets and delimiters was in it. Throws
    /// <see cref="MediaFormatException"/> when it is malformed.
    /// </summary>
    public bool TryConvert(ReadOnlySpan<byte> annexB, out byte[]? buffer, out int length, out bool keyframe)
    {
        // Each NAL unit is at least one byte behind a start code of at least three: 4-byte lengths add a quarter at most.
        byte[] output = MediaBufferPool.Shared.Rent(annexB.Length + (annexB.Length / 4) + 8);
        int written = 0;
        int count = 0;
        keyframe = false;
        try
        {
            while (AnnexB.TryReadNalUnit(ref annexB, out var nal))
            {
                if (nal.IsEmpty)
                {
                    continue;
                }

                if (++count > MaxNalUnitsPerAccessUnit)
                {
                    ThrowHelper.Malformed($"access unit of more than {MaxNalUnitsPerAccessUnit} NAL units");
                }

                switch (Classify(nal))
                {
                    case NalRole.Keyframe:
                        keyframe = true;
                        break;
                    case NalRole.Dropped:
                        continue;
                    case NalRole.ParameterSet:
                        KeepParameterSet(nal);
                        continue;
                }

                BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(written), nal.Length);
                nal.CopyTo(output.AsSpan(written + 4));
                written += 4 + nal.Length;
            }
        }
        catch
        {
            MediaBufferPool.Shared.Return(output);
            throw;
        }

        if (written == 0)
        {
            MediaBufferPool.Shared.Return(output);
            (buffer, length) = (null, 0);
            return false;
        }

        (buffer, length) = (output, written);
        return true;
    }

    private enum NalRole
    {
        Picture,
        Keyframe,
        ParameterSet,
        Dropped,
    }

    private NalRole Classify(ReadOnlySpan<byte> nal)
    {
        if (codec == VideoCodec.H264)
        {
            return (nal[0] & 0x1F) switch
            {
                5 => NalRole.Keyframe,
                7 or 8 => NalRole.ParameterSet,
                9 or 12 => NalRole.Dropped, // access unit delimiter, filler
                _ => NalRole.Picture,
            };
        }

        if (nal.Length < 2)
        {
            ThrowHelper.Malformed("H.265 NAL unit shorter than its 2-byte header");
        }

        return H265NalType.Of(nal) switch
        {
            >= 16 and <= 21 => NalRole.Keyframe, // BLA, IDR, CRA: intra random access points
            H265NalType.Vps or H265NalType.Sps or H265NalType.Pps => NalRole.ParameterSet,
            H265NalType.AccessUnitDelimiter or 38 => NalRole.Dropped, // 38: filler data
            _ => NalRole.Picture,
        };
    }

    private void KeepParameterSet(ReadOnlySpan<byte> nal)
    {
        if (nal.Length > MediaLimits.MaxParameterSetSize)
        {
            ThrowHelper.Malformed($"parameter set of {nal.Length} bytes exceeds {MediaLimits.MaxParameterSetSize}");
        }

        int type = codec == VideoCodec.H264 ? nal[0] & 0x1F : H265NalType.Of(nal);
        if (type == 7 && nal.Length < MinAvcSpsLength)
        {
            ThrowHelper.Malformed($"H.264 SPS of {nal.Length} bytes, at least {MinAvcSpsLength} needed");
        }

        ref byte[]? slot = ref _vps;
        if (type is 7 or H265NalType.Sps)
        {
            slot = ref _sps;
        }
        else if (type is 8 or H265NalType.Pps)
        {
            slot = ref _pps;
        }

        if (slot is null || !nal.SequenceEqual(slot))
        {
            slot = nal.ToArray();
            ParameterSetsChanged = true;
        }
    }
}
