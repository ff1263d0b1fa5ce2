using System.Text;
using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.H265;

/// <summary>The general profile_tier_level fields (ITU-T H.265 7.3.3) shared by the SPS and hvcC.</summary>
public readonly record struct HevcProfileTierLevel(
    int ProfileSpace,
    bool HighTier,
    int ProfileIdc,
    uint CompatibilityFlags,
    ulong ConstraintIndicatorFlags,
    int LevelIdc)
{
    /// <summary>Reads the 12-byte general part.</summary>
    public static HevcProfileTierLevel Read(ref BitReader bits)
    {
        int space = (int)bits.ReadBits(2);
        bool tier = bits.ReadBit();
        int profile = (int)bits.ReadBits(5);
        uint compatibility = bits.ReadBits(32);
        ulong constraints = bits.ReadBits64(48);
        int level = (int)bits.ReadBits(8);
        return new HevcProfileTierLevel(space, tier, profile, compatibility, constraints, level);
    }

    /// <summary>
    /// The RFC 6381 / ISO/IEC 14496-15 Annex E codec string, e.g. <c>hvc1.1.6.L93.B0</c>: profile space and idc,
    /// compatibility flags bit-reversed in hex, tier and level, then constraint bytes without trailing zeros.
    /// </summary>
    public string ToCodecString()
    {
        var builder = new StringBuilder("hvc1.");
        if (ProfileSpace > 0)
        {
            builder.Append((char)('A' + ProfileSpace - 1));
        }

        builder.Append(ProfileIdc).Append('.');
        uint reversed = 0;
        for (int i = 0; i < 32; i++)
        {
            reversed |= ((CompatibilityFlags >> i) & 1) << (31 - i);
        }

        builder.Append(reversed.ToString("X")).Append('.');
        builder.Append(HighTier ? 'H' : 'L').Append(LevelIdc);

        Span<byte> constraintBytes = stackalloc byte[6];
        for (int i = 0; i < 6; i++)
        {
            constraintBytes[i] = (byte)(ConstraintIndicatorFlags >> (40 - (8 * i)));
        }

        int last = 5;
        while (last >= 0 && constraintBytes[last] == 0)
        {
            last--;
        }

        for (int i = 0; i <= last; i++)
        {
            builder.Append('.').Append(constraintBytes[i].ToString("X2"));
        }

        return builder.ToString();
    }
}
