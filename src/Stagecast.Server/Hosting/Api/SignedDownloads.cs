using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// The answers of downloads behind signed links (<see cref="DownloadSigner"/>: exports, transcripts, summaries,
/// recordings): a request whose link does not verify is refused with the error envelope, and a file is a download,
/// never a page (browsers save it rather than render or sniff it).
/// </summary>
public static class SignedDownloads
{
    /// <summary>Whether <paramref name="request"/>'s <c>expires</c> and <c>signature</c> sign <paramref name="path"/>.</summary>
    public static bool IsSigned(this DownloadSigner signer, HttpRequest request, string path) =>
        signer.IsValid(path, request.Query["expires"], request.Query["signature"]);

    public static IResult Refused() => ApiResults.Error(StatusCodes.Status403Forbidden, "this download link is invalid or has expired");

    /// <summary><paramref name="text"/> as the file <paramref name="name"/>-<paramref name="id"/>.<paramref name="extension"/>.</summary>
    public static IResult Text(HttpContext context, string name, string id, string extension, string text, string contentType)
    {
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}-{FileNameOf(id)}.{extension}\"";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Text(text, contentType);
    }

    /// <summary>An id as it may stand in a file name (ids are UUIDs; anything else is replaced).</summary>
    private static string FileNameOf(string id) => string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));
}
