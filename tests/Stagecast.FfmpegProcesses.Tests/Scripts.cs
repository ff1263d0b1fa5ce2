namespace Stagecast.FfmpegProcesses.Tests;

/// <summary>
/// Stand-ins for ffmpeg where the test is about what a child does that a working ffmpeg does not (floods stderr, ignores
/// SIGTERM), written to a folder of the test's own. They take ffmpeg's arguments and ignore them.
/// </summary>
public sealed class Scripts : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-ffmpeg-tests-").FullName;

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public string Write(string name, string body)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Exited and reaped, or a zombie about to be.</summary>
    public static bool Gone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
