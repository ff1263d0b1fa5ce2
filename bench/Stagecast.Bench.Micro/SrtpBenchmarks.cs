using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.Bench.Micro;

/// <summary>Protecting one WHEP video packet (12-byte header, 1,200-byte payload) and one Opus packet with AEAD_AES_128_GCM: the managed cipher inside <see cref="SrtpContext"/>, and .NET's <see cref="AesGcm"/> (OpenSSL) on the same bytes.</summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private readonly byte[] _packet = new byte[1536];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[16];
    private SrtpContext _context = null!;
    private AesGcm _openSsl = null!;
    private ushort _seq;

    [Params(160, 1212)]
    public int PacketLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        _context = new SrtpContext(SrtpProfile.AeadAes128Gcm, key, RandomNumberGenerator.GetBytes(12));
        _openSsl = new AesGcm(key, 16);
        RandomNumberGenerator.Fill(_packet);
        _packet[0] = 0x80; // RTP version 2, no padding, extension or CSRCs
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context.Dispose();
        _openSsl.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int ProtectRtp()
    {
        _packet[2] = (byte)(_seq >> 8);
        _packet[3] = (byte)_seq++;
        return _context.ProtectRtp(_packet, PacketLength);
    }

    [Benchmark]
    public void DotNetAesGcm()
    {
        _nonce[11] = (byte)_seq++;
        var packet = _packet.AsSpan(0, PacketLength);
        _openSsl.Encrypt(_nonce, packet[12..], packet[12..], _tag, packet[..12]);
    }
}
