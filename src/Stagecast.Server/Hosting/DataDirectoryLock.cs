using System.Globalization;

namespace Stagecast.Server.Hosting;

/// <summary>
/// One server per data directory: <c>stagecast.lock</c> is held with an exclusive lock (flock) for the server's
/// life, and <c>stagecast.pid</c> beside it names the owner (a locked file cannot be read by another process). A second server on the same directory refuses to start, naming the first,
/// instead of recovering the first one's live sessions as "left open by an unclean stop". The kernel releases the
/// lock when the process ends, however it ends.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "stagecast.lock";
    public const string PidFileName = "stagecast.pid";
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    public static DataDirectoryLock Acquire(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        string path = Path.Combine(dataDir, FileName);
        string pidPath = Path.Combine(dataDir, PidFileName);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string owner = ReadOwner(pidPath) is { } pid ? $"pid {pid}" : "another process";
            throw new StartupException($"the data directory {Path.GetFullPath(dataDir)} is in use by another Stagecast server ({owner}); stop it or give this one its own --data-dir");
        }

        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectoryLock(file);
    }

    public void Dispose() => _file.Dispose();

    private static string? ReadOwner(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid.ToString(CultureInfo.InvariantCulture) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
