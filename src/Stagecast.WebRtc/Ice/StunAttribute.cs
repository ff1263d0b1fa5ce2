namespace Stagecast.WebRtc.Ice;

/// <summary>STUN attribute types Stagecast reads or writes (RFC 8489 section 18.3, RFC 8445 section 16.1).</summary>
public static class StunAttribute
{
    public const ushort Username = 0x0006;
    public const ushort MessageIntegrity = 0x0008;
    public const ushort ErrorCode = 0x0009;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort Priority = 0x0024;
    public const ushort UseCandidate = 0x0025;
    public const ushort Software = 0x8022;
    public const ushort Fingerprint = 0x8028;
    public const ushort IceControlled = 0x8029;
    public const ushort IceControlling = 0x802A;
}
