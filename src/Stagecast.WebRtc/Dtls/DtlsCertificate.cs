using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using TlsCertificate = Org.BouncyCastle.Crypto.Tls.Certificate;

namespace Stagecast.WebRtc.Dtls;

/// <summary>
/// The server's DTLS identity: an ECDSA P-256 key and a self-signed certificate made at start (WebRTC peers check the
/// SDP fingerprint, not a chain, RFC 8827 section 6.5), and its SHA-256 fingerprint as the SDP writes it.
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(TlsCertificate certificate, AsymmetricKeyParameter privateKey, byte[] der)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        Fingerprint = FormatFingerprint(System.Security.Cryptography.SHA256.HashData(der));
    }

    internal TlsCertificate Certificate { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>Colon-separated upper-case hex of the certificate's SHA-256, as in <c>a=fingerprint:sha-256</c>.</summary>
    public string Fingerprint { get; }

    public static DtlsCertificate Create(TimeProvider time)
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var keys = generator.GenerateKeyPair();

        var now = time.GetUtcNow().UtcDateTime;
        var builder = new X509V3CertificateGenerator();
        var name = new X509Name("CN=stagecast");
        builder.SetSerialNumber(new BigInteger(64, random).Add(BigInteger.One));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(now.AddDays(-1));
        builder.SetNotAfter(now.AddDays(365));
        builder.SetPublicKey(keys.Public);
        var certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keys.Private, random));
        byte[] der = certificate.GetEncoded();
        var structure = X509CertificateStructure.GetInstance(der);
        return new DtlsCertificate(new TlsCertificate([structure]), keys.Private, der);
    }

    public static string FormatFingerprint(ReadOnlySpan<byte> hash) => string.Join(':', Convert.ToHexString(hash).Chunk(2).Select(pair => new string(pair)));
}
