using System.Security.Cryptography;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Signs webhook bodies as RealtimeKit does: <c>rtk-signature</c> is base64 RSA-SHA256 (PKCS#1 v1.5) over the exact
/// body bytes, under a 2048-bit key kept in the data directory; receivers verify with the public key published at
/// <c>/.well-known/webhooks.json</c>.
/// </summary>
public sealed class WebhookSigner
{
    public const string KeyFileName = "webhooks.key";
    private readonly RSA _key;

    public WebhookSigner(SecretStore secrets)
    {
        byte[] pkcs8 = secrets.LoadOrCreate(KeyFileName, () =>
        {
            using var created = RSA.Create(2048);
            return created.ExportPkcs8PrivateKey();
        });
        _key = RSA.Create();
        _key.ImportPkcs8PrivateKey(pkcs8, out _);
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem();
    }

    public string PublicKeyPem { get; }

    public string Sign(byte[] body) => Convert.ToBase64String(_key.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
}
