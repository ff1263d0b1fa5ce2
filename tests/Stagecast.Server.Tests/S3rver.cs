using System.Net;
using System.Net.Sockets;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>s3rver (npm), a real S3 API server, on a free loopback port, its objects as files in a directory of its own.</summary>
public sealed class S3rver : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private S3rver(ExternalProcess process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Endpoint = $"http://127.0.0.1:{port}";
    }

    /// <summary>Where it keeps the objects: a file each, under the bucket's name and the object's key.</summary>
    public string Directory { get; }

    public string Endpoint { get; }

    /// <summary>Starts it with <paramref name="bucket"/> made, its keys <c>S3RVER</c>/<c>S3RVER</c>; returns once it listens.</summary>
    public static async Task<S3rver> StartAsync(string bucket)
    {
        int port = FreePorts.Next();
        string directory = System.IO.Directory.CreateTempSubdirectory("stagecast-s3-").FullName;
        string s3rver = Path.Combine(Browser.RepositoryRoot(), "tests", "sdk", "node_modules", "s3rver", "bin", "s3rver.js");
        var process = ExternalProcess.Start("node", [s3rver, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(), "--configure-bucket", bucket, "-s"]);
        await Eventually.TrueAsync(() => Listening(port), "s3rver to listen");
        return new S3rver(process, directory, port);
    }

    /// <summary>The files it keeps objects in (an object, its metadata and its checksum each) whose path contains <paramref name="part"/>.</summary>
    public string[] ObjectsWith(string part) =>
        [.. System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories).Where(f => f.Contains(part, StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
