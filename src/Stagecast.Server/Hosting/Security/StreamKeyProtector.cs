using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Stream keys must be shown again through the API, so they cannot be stored as one-way hashes. They are
/// encrypted at rest (AES-256-GCM) under a key kept in the data directory, apart from the database, and found at
/// publish time by a keyed hash (HMAC-SHA256) instead of by their plaintext, so lookups compare digests, not keys.
/// </summary>
public sealed class StreamKeyProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Lazy<byte[]> _encryptionKey;
    private readonly Lazy<byte[]> _lookupKey;

    /// <summary>The keys are derived at first use: a server nobody has asked anything of loads no cryptography library.</summary>
    public StreamKeyProtector(byte[] masterKey)
    {
        if (masterKey.Length != 32)
        {
            throw new ArgumentException("the master key must be 32 bytes", nameof(masterKey));
        }

        _encryptionKey = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "stagecast stream key encryption"u8.ToArray()));
        _lookupKey = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "stagecast stream key lookup"u8.ToArray()));
    }

    /// <summary>The digest livestreams are looked up by.</summary>
    public byte[] LookupHash(string streamKey) => HMACSHA256.HashData(_lookupKey.Value, Encoding.UTF8.GetBytes(streamKey));

    public byte[] Protect(string streamKey)
    {
        byte[] plain = Encoding.UTF8.GetBytes(streamKey);
        byte[] sealedKey = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedKey.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey.Value, TagSize);
        aes.Encrypt(nonce, plain, sealedKey.AsSpan(NonceSize, plain.Length), sealedKey.AsSpan(NonceSize + plain.Length, TagSize));
        return sealedKey;
    }

    public string Unprotect(byte[] sealedKey)
    {
        int length = sealedKey.Length - NonceSize - TagSize;
        if (length < 0)
        {
            throw new CryptographicException("sealed stream key too short");
        }

        byte[] plain = new byte[length];
        using var aes = new AesGcm(_encryptionKey.Value, TagSize);
        aes.Decrypt(sealedKey.AsSpan(0, NonceSize), sealedKey.AsSpan(NonceSize, length), sealedKey.AsSpan(NonceSize + length, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Loads the master key from the data directory, creating it (readable by the owner only) on first start.</summary>
    public static byte[] LoadOrCreateMasterKey(SecretStore secrets)
    {
        byte[] key = secrets.LoadOrCreate("secret.key", () => RandomNumberGenerator.GetBytes(32));
        return key.Length == 32 ? key : throw new CryptographicException("secret.key is not a 32-byte key; restore it from backup");
    }
}
