namespace Stagecast.Server.Hosting.Security;

/// <summary>Key material kept in the data directory, apart from the database: created once, readable by the owner only.</summary>
public static class SecretFiles
{
    /// <summary>The file's bytes; created from <paramref name="create"/> when it does not exist yet.</summary>
    public static byte[] LoadOrCreate(string path, Func<byte[]> create)
    {
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        byte[] content = create();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var file = new FileStream(path, options);
            file.Write(content);
            file.Flush(flushToDisk: true);
            return content;
        }
        catch (IOException) when (File.Exists(path))
        {
            return File.ReadAllBytes(path); // another process created it first
        }
    }
}
