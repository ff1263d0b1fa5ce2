using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using AesNi = System.Runtime.Intrinsics.X86.Aes;

namespace Stagecast.WebRtc.Srtp;

/// <summary>
/// AES-128 in Galois/Counter Mode with a 12-byte nonce (NIST SP 800-38D), as SRTP's AEAD profile uses it (RFC 7714):
/// in managed code on the processor's AES and carry-less multiply instructions where it has them, else through
/// <see cref="AesGcm"/>. A WHEP fan-out protects a few tens of thousands of small packets a second; through
/// <see cref="AesGcm"/> each call crossed into OpenSSL, whose per-call bookkeeping (clearing its error queue, looking up
/// parameters) cost more than the cipher itself (bench/README.md). Not thread-safe: its owner serialises calls.
/// </summary>
internal sealed class Aes128Gcm : IDisposable
{
    public const int NonceLength = 12;

    private const int Rounds = 10;

    /// <summary>Reverses a block's bytes: GHASH's bit order on a little-endian register.</summary>
    private static readonly Vector128<byte> Reflection = Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);

    private readonly int _tagLength;
    private readonly RoundKeys _keys;
    private readonly Vector128<ulong> _hashKey;
    private readonly Vector128<ulong> _hashKey2;
    private readonly Vector128<ulong> _hashKey3;
    private readonly Vector128<ulong> _hashKey4;
    private readonly AesGcm? _fallback;

    public Aes128Gcm(ReadOnlySpan<byte> key, int tagLength)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(key.Length, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(tagLength, 12);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tagLength, 16);
        _tagLength = tagLength;
        if (!IsHardwareAccelerated)
        {
            _fallback = new AesGcm(key, tagLength);
            return;
        }

        _keys = ExpandKey(Vector128.Create(key));
        _hashKey = Reflect(EncryptBlock(Vector128<byte>.Zero)).AsUInt64();
        _hashKey2 = Multiply(_hashKey, _hashKey);
        _hashKey3 = Multiply(_hashKey2, _hashKey);
        _hashKey4 = Multiply(_hashKey3, _hashKey);
    }

    /// <summary>Whether this processor runs the managed path (AES-NI, PCLMULQDQ and SSSE3).</summary>
    public static bool IsHardwareAccelerated => AesNi.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (the same span, or one that does not overlap it) and writes the tag.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        if (_fallback is not null)
        {
            _fallback.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
            return;
        }

        var counter0 = CounterBlock(nonce);
        ApplyKeystream(counter0, plaintext, ciphertext);
        WriteTag(counter0, associatedData, ciphertext, tag);
    }

    /// <summary>
    /// Checks the tag over <paramref name="associatedData"/> and <paramref name="ciphertext"/>, then decrypts into
    /// <paramref name="plaintext"/> (the same span, or one that does not overlap it). False, and nothing written, when the tag does not match.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        if (_fallback is not null)
        {
            try
            {
                _fallback.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        var counter0 = CounterBlock(nonce);
        Span<byte> expected = stackalloc byte[16];
        WriteTag(counter0, associatedData, ciphertext, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[.._tagLength], tag))
        {
            return false;
        }

        ApplyKeystream(counter0, ciphertext, plaintext);
        return true;
    }

    public void Dispose() => _fallback?.Dispose();

    private void CheckLengths(ReadOnlySpan<byte> nonce, int input, int output, int tag)
    {
        if (nonce.Length != NonceLength || output != input || tag != _tagLength)
        {
            throw new ArgumentException($"AES-GCM takes a {NonceLength}-byte nonce, an output as long as the input and a {_tagLength}-byte tag");
        }
    }

    /// <summary>J0 = nonce || 0x00000001.</summary>
    private static Vector128<byte> CounterBlock(ReadOnlySpan<byte> nonce)
    {
        Span<byte> block = stackalloc byte[16];
        nonce.CopyTo(block);
        BinaryPrimitives.WriteUInt32BigEndian(block[12..], 1);
        return Vector128.Create((ReadOnlySpan<byte>)block);
    }

    /// <summary>The block with its 32-bit big-endian counter set to <paramref name="counter"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> WithCounter(Vector128<byte> counter0, uint counter) =>
        counter0.AsUInt32().WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    /// <summary>CTR mode from J0 + 1: four blocks at a time, so the AES units work on independent blocks.</summary>
    private void ApplyKeystream(Vector128<byte> counter0, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ref readonly var keys = ref _keys;
        uint counter = 2;
        int offset = 0;
        for (; offset + 64 <= input.Length; offset += 64, counter += 4)
        {
            var b0 = WithCounter(counter0, counter) ^ keys[0];
            var b1 = WithCounter(counter0, counter + 1) ^ keys[0];
            var b2 = WithCounter(counter0, counter + 2) ^ keys[0];
            var b3 = WithCounter(counter0, counter + 3) ^ keys[0];
            for (int round = 1; round < Rounds; round++)
            {
                var key = keys[round];
                b0 = AesNi.Encrypt(b0, key);
                b1 = AesNi.Encrypt(b1, key);
                b2 = AesNi.Encrypt(b2, key);
                b3 = AesNi.Encrypt(b3, key);
            }

            var last = keys[Rounds];
            var source = input[offset..];
            var target = output[offset..];
            (AesNi.EncryptLast(b0, last) ^ Vector128.Create(source)).CopyTo(target);
            (AesNi.EncryptLast(b1, last) ^ Vector128.Create(source[16..])).CopyTo(target[16..]);
            (AesNi.EncryptLast(b2, last) ^ Vector128.Create(source[32..])).CopyTo(target[32..]);
            (AesNi.EncryptLast(b3, last) ^ Vector128.Create(source[48..])).CopyTo(target[48..]);
        }

        for (; offset + 16 <= input.Length; offset += 16, counter++)
        {
            (EncryptBlock(WithCounter(counter0, counter)) ^ Vector128.Create(input[offset..])).CopyTo(output[offset..]);
        }

        if (offset < input.Length)
        {
            Span<byte> keystream = stackalloc byte[16];
            EncryptBlock(WithCounter(counter0, counter)).CopyTo(keystream);
            for (int i = offset; i < input.Length; i++)
            {
                output[i] = (byte)(input[i] ^ keystream[i - offset]);
            }
        }
    }

    /// <summary>GHASH over the associated data, the ciphertext and their bit lengths, masked with E(K, J0).</summary>
    private void WriteTag(Vector128<byte> counter0, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        var hash = Vector128<ulong>.Zero;
        hash = Absorb(hash, associatedData);
        hash = Absorb(hash, ciphertext);
        var lengths = Vector128.Create((ulong)ciphertext.Length * 8, (ulong)associatedData.Length * 8); // reflected (len(A) || len(C))
        hash = Multiply(hash ^ lengths, _hashKey);
        var full = EncryptBlock(counter0) ^ Reflect(hash.AsByte());
        Span<byte> block = stackalloc byte[16];
        full.CopyTo(block);
        block[..tag.Length].CopyTo(tag);
    }

    /// <summary>
    /// Folds the data into the hash, the last block padded with zeros. Four blocks at a time are multiplied by H^4,
    /// H^3, H^2 and H and reduced once (the reduction is linear), so the multiplications do not wait for one another.
    /// </summary>
    private Vector128<ulong> Absorb(Vector128<ulong> hash, ReadOnlySpan<byte> data)
    {
        int offset = 0;
        for (; offset + 64 <= data.Length; offset += 64)
        {
            var block = data[offset..];
            Vector128<ulong> low = default, middle = default, high = default;
            Accumulate(hash ^ Reflect(Vector128.Create(block)).AsUInt64(), _hashKey4, ref low, ref middle, ref high);
            Accumulate(Reflect(Vector128.Create(block[16..])).AsUInt64(), _hashKey3, ref low, ref middle, ref high);
            Accumulate(Reflect(Vector128.Create(block[32..])).AsUInt64(), _hashKey2, ref low, ref middle, ref high);
            Accumulate(Reflect(Vector128.Create(block[48..])).AsUInt64(), _hashKey, ref low, ref middle, ref high);
            hash = Reduce(low, middle, high);
        }

        for (; offset + 16 <= data.Length; offset += 16)
        {
            hash = Multiply(hash ^ Reflect(Vector128.Create(data[offset..])).AsUInt64(), _hashKey);
        }

        if (offset < data.Length)
        {
            Span<byte> last = stackalloc byte[16]; // zeroed: the padding
            data[offset..].CopyTo(last);
            hash = Multiply(hash ^ Reflect(Vector128.Create((ReadOnlySpan<byte>)last)).AsUInt64(), _hashKey);
        }

        return hash;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Reflect(Vector128<byte> block) => Ssse3.Shuffle(block, Reflection);

    /// <summary>a·b in GF(2^128) on bit-reflected operands.</summary>
    private static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        Vector128<ulong> low = default, middle = default, high = default;
        Accumulate(a, b, ref low, ref middle, ref high);
        return Reduce(low, middle, high);
    }

    /// <summary>Adds the 256-bit carry-less product a·b, as its low, middle and high 128-bit parts, to the sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector128<ulong> a, Vector128<ulong> b, ref Vector128<ulong> low, ref Vector128<ulong> middle, ref Vector128<ulong> high)
    {
        low ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        middle ^= Pclmulqdq.CarrylessMultiply(a, b, 0x10) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x01);
        high ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
    }

    /// <summary>
    /// A carry-less product back into the field: shifted left by one for the bit reflection, then reduced modulo
    /// x^128 + x^7 + x^2 + x + 1 (Gueron and Kounavis, "Intel Carry-Less Multiplication Instruction and its Usage for
    /// Computing the GCM Mode", algorithms 1, 4 and 5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> middle, Vector128<ulong> high)
    {
        low ^= Sse2.ShiftLeftLogical128BitLane(middle, 8);
        high ^= Sse2.ShiftRightLogical128BitLane(middle, 8);

        // high:low <<= 1
        var l = low.AsUInt32();
        var h = high.AsUInt32();
        var lowCarries = Sse2.ShiftRightLogical(l, 31);
        var highCarries = Sse2.ShiftRightLogical(h, 31);
        l = Sse2.ShiftLeftLogical(l, 1) | Sse2.ShiftLeftLogical128BitLane(lowCarries, 4);
        h = Sse2.ShiftLeftLogical(h, 1) | Sse2.ShiftLeftLogical128BitLane(highCarries, 4) | Sse2.ShiftRightLogical128BitLane(lowCarries, 12);

        // the low half folded into the high half
        var fold = Sse2.ShiftLeftLogical(l, 31) ^ Sse2.ShiftLeftLogical(l, 30) ^ Sse2.ShiftLeftLogical(l, 25);
        var carried = Sse2.ShiftRightLogical128BitLane(fold, 4);
        l ^= Sse2.ShiftLeftLogical128BitLane(fold, 12);
        var shifted = Sse2.ShiftRightLogical(l, 1) ^ Sse2.ShiftRightLogical(l, 2) ^ Sse2.ShiftRightLogical(l, 7) ^ carried;
        return (h ^ l ^ shifted).AsUInt64();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        ref readonly var keys = ref _keys;
        block ^= keys[0];
        for (int round = 1; round < Rounds; round++)
        {
            block = AesNi.Encrypt(block, keys[round]);
        }

        return AesNi.EncryptLast(block, keys[Rounds]);
    }

    /// <summary>The AES-128 key schedule (FIPS 197 section 5.2) with AESKEYGENASSIST.</summary>
    private static RoundKeys ExpandKey(Vector128<byte> key)
    {
        var keys = default(RoundKeys);
        keys[0] = key;
        keys[1] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x01));
        keys[2] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x02));
        keys[3] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x04));
        keys[4] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x08));
        keys[5] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x10));
        keys[6] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x20));
        keys[7] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x40));
        keys[8] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x80));
        keys[9] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x1B));
        keys[10] = NextRoundKey(key, AesNi.KeygenAssist(key, 0x36));
        return keys;
    }

    private static Vector128<byte> NextRoundKey(Vector128<byte> key, Vector128<byte> assist)
    {
        var word = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 8);
        return key ^ word;
    }

    [InlineArray(Rounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _key;
    }
}
