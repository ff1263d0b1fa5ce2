namespace Stagecast.Media.Fmp4;

/// <summary>Box types (ISO/IEC 14496-12) as the big-endian numbers <see cref="BoxHeader"/> reads, for a <c>switch</c>.</summary>
public static class BoxTypes
{
    public const uint Ftyp = 0x66747970; // "ftyp"
    public const uint Moov = 0x6D6F6F76; // "moov"
    public const uint Mvhd = 0x6D766864; // "mvhd"
    public const uint Trak = 0x7472616B; // "trak"
    public const uint Tkhd = 0x746B6864; // "tkhd"
    public const uint Edts = 0x65647473; // "edts"
    public const uint Elst = 0x656C7374; // "elst"
    public const uint Mdia = 0x6D646961; // "mdia"
    public const uint Mdhd = 0x6D646864; // "mdhd"
    public const uint Minf = 0x6D696E66; // "minf"
    public const uint Stbl = 0x7374626C; // "stbl"
    public const uint Stsd = 0x73747364; // "stsd"
    public const uint Stts = 0x73747473; // "stts"
    public const uint Ctts = 0x63747473; // "ctts"
    public const uint Stss = 0x73747373; // "stss"
    public const uint Stsc = 0x73747363; // "stsc"
    public const uint Stsz = 0x7374737A; // "stsz"
    public const uint Stco = 0x7374636F; // "stco"
    public const uint Co64 = 0x636F3634; // "co64"
    public const uint Mvex = 0x6D766578; // "mvex"
    public const uint Trex = 0x74726578; // "trex"
    public const uint Moof = 0x6D6F6F66; // "moof"
    public const uint Traf = 0x74726166; // "traf"
    public const uint Tfhd = 0x74666864; // "tfhd"
    public const uint Tfdt = 0x74666474; // "tfdt"
    public const uint Trun = 0x7472756E; // "trun"
    public const uint Mdat = 0x6D646174; // "mdat"
}
