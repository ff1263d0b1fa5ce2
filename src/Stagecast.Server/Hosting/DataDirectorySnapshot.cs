namespace Stagecast.Server.Hosting;

/// <summary>
/// What the data directory held before this start, so that a start that could not listen (a port in use) leaves
/// nothing behind: the files it made (the lock, the database, the keys) are removed again, and the directory itself
/// when this start made it. Taken before anything touches the directory; undone only under the directory's lock, so
/// another server's files are never touched.
/// </summary>
public sealed class DataDirectorySnapshot
{
    private readonly string _path;
    private readonly HashSet<string>? _entries;

    private DataDirectorySnapshot(string path, HashSet<string>? entries)
    {
        _path = path;
        _entries = entries;
    }

    /// <summary>The top level of <paramref name="path"/>, where a start writes (null entries: the directory did not exist).</summary>
    public static DataDirectorySnapshot Take(string path) =>
        new(path, Directory.Exists(path) ? [.. Directory.EnumerateFileSystemEntries(path)] : null);

    /// <summary>Removes what was added since the snapshot; call once the server is disposed (its lock let go).</summary>
    public void RemoveWhatWasAdded()
    {
        if (!Directory.Exists(_path))
        {
            return;
        }

        DataDirectoryLock held;
        try
        {
            held = DataDirectoryLock.Acquire(_path);
        }
        catch (StartupException)
        {
            return; // another server owns the directory now: what is new there is its own
        }

        using (held)
        {
            if (_entries is null)
            {
                Directory.Delete(_path, recursive: true);
                return;
            }

            foreach (string entry in Directory.EnumerateFileSystemEntries(_path).Where(e => !_entries.Contains(e)).ToList())
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }
    }
}
