using System.Security.Cryptography;
using System.Text;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Tests.Security;

/// <summary>Tokens are hashed by BouncyCastle's SHA-256 now: the digests of tokens stored before must not change.</summary>
public sealed class TokenHasherTests
{
    [Fact]
    public void TheDigestIsSha256AsStoredBefore()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(TokenHasher.Hash("abc")));
        for (int length = 0; length < 200; length += 7)
        {
            string token = "sct_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(length)) + "é";
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(token)), TokenHasher.Hash(token));
        }
    }
}
