using System.Collections;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Tls;
using Stagecast.WebRtc.Srtp;
using HashAlgorithm = Org.BouncyCastle.Crypto.Tls.HashAlgorithm;

namespace Stagecast.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 server side of DTLS-SRTP (RFC 5764): ECDHE-ECDSA suites, a client certificate required and checked
/// against the SDP's fingerprint, the <c>use_srtp</c> profile chosen from the client's list (GCM first), and the SRTP
/// keys exported once the handshake completes.
/// </summary>
internal sealed class DtlsSrtpServer(DtlsCertificate certificate, string fingerprintAlgorithm, byte[] expectedFingerprint) : DefaultTlsServer
{
    private static readonly int[] Suites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private SrtpProfile? _profile;

    public SrtpProfile? Profile => _profile;

    /// <summary>client_write_key | server_write_key | client_salt | server_salt (RFC 5764 section 4.2).</summary>
    public byte[]? KeyingMaterial { get; private set; }

    public bool ClientCertificateMatched { get; private set; }

    /// <summary>Called when the peer's authenticated close_notify alert arrives (it is leaving).</summary>
    public Action? CloseNotifyReceived { get; set; }

    protected override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    protected override ProtocolVersion MaximumVersion => ProtocolVersion.DTLSv12;

    protected override int[] GetCipherSuites() => Suites;

    protected override TlsSignerCredentials GetECDsaSignerCredentials() =>
        new DefaultTlsSignerCredentials(mContext, certificate.Certificate, certificate.PrivateKey,
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    public override CertificateRequest GetCertificateRequest()
    {
        var algorithms = new ArrayList
        {
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
            new SignatureAndHashAlgorithm(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
            new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa),
            new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.rsa),
        };
        return new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.IsTlsV12(mContext) ? algorithms : null, null);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        byte[] der = clientCertificate.GetCertificateAt(0).GetDerEncoded();
        byte[] actual = fingerprintAlgorithm switch
        {
#pragma warning disable CA5350 // the offer's a=fingerprint may name SHA-1 (RFC 8122 section 5): checked, never chosen
            "sha-1" => SHA1.HashData(der),
#pragma warning restore CA5350
            "sha-384" => SHA384.HashData(der),
            "sha-512" => SHA512.HashData(der),
            _ => SHA256.HashData(der),
        };
        if (!CryptographicOperations.FixedTimeEquals(actual, expectedFingerprint))
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        ClientCertificateMatched = true;
    }

    public override void ProcessClientExtensions(IDictionary clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSRTPUtils.GetUseSrtpExtension(clientExtensions)?.ProtectionProfiles ?? [];
        if (Array.IndexOf(offered, SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM) >= 0)
        {
            _profile = SrtpProfile.AeadAes128Gcm;
        }
        else if (Array.IndexOf(offered, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80) >= 0)
        {
            _profile = SrtpProfile.AesCm128HmacSha1_80;
        }
        else
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure); // no SRTP profile we implement
        }
    }

    public override IDictionary GetServerExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        int profile = _profile == SrtpProfile.AeadAes128Gcm ? SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM : SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData([profile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifyAlertReceived(byte alertLevel, byte alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        if (alertDescription == AlertDescription.close_notify)
        {
            CloseNotifyReceived?.Invoke();
        }
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        var profile = _profile!.Value;
        int length = 2 * (SrtpProfileExtensions.KeyLength + profile.SaltLength());
        KeyingMaterial = mContext.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, length);
    }
}
