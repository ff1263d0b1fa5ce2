using Stagecast.Server.Hosting.Storage;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>Signature Version 4 against the worked examples of the S3 API reference ("Authenticating Requests").</summary>
[Trait("Category", "InProcess")]
public sealed class S3SignerTests
{
    private static readonly S3Signer Signer = new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
    private static readonly DateTimeOffset Now = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AGetObjectRequestIsSignedAsTheReferenceExampleIs()
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["range"] = "bytes=0-9" };
        string authorization = Signer.Authorization(
            "GET", new Uri("https://examplebucket.s3.amazonaws.com/test.txt"), headers, S3Signer.PayloadHash([]), Now);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
        Assert.Equal("20130524T000000Z", headers["x-amz-date"]);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", headers["x-amz-content-sha256"]);
    }

    [Fact]
    public void APresignedLinkIsSignedAsTheReferenceExampleIs()
    {
        var link = Signer.Presign(new Uri("https://examplebucket.s3.amazonaws.com/test.txt"), Now, Now.AddDays(1));

        Assert.Equal(
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
            link.AbsoluteUri);
    }

    [Theory]
    [InlineData("meetings/a b.mp4", true, "meetings/a%20b.mp4")]
    [InlineData("x/y~z_-.", false, "x%2Fy~z_-.")]
    [InlineData("é+=", false, "%C3%A9%2B%3D")]
    public void KeysArePercentEncodedAsSigV4Wants(string value, bool keepSlash, string expected) =>
        Assert.Equal(expected, S3Signer.Encode(value, keepSlash));
}
