using System.Reflection;
using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// Finds libsrt, the OpenSSL build first: Debian's libsrt1.5-openssl installs libsrt.so.1.5 (other distributions name it
/// libsrt-openssl.so.1.5), libsrt1.5-gnutls (which ffmpeg pulls in) libsrt-gnutls.so.1.5, a build from source
/// libsrt.so. At start it is only found (<see cref="Find"/>): loaded, it maps libsrt, libcrypto and libstdc++ (3.1 MiB
/// of an idle server's memory) for good, as glibc never unloads them. It is loaded with the first caller
/// (<see cref="TryLoad"/>), from the file found, and used for every call from then on. Found nowhere in the library
/// directories, it is loaded by name at once, as the dynamic loader searches further (a run path, a cache entry).
/// </summary>
internal static class LibSrtLoader
{
    private static readonly string[] Candidates = ["libsrt-openssl.so.1.5", "libsrt.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so"];
    private static readonly Lock Sync = new();
    private static string? _found;
    private static nint _handle;

    /// <summary>The library's file (a path, or the name it loaded by), once found.</summary>
    public static string? Library => _found;

    /// <summary>Finds the library without loading it; null when found, else why not (the file names tried).</summary>
    public static string? Find()
    {
        lock (Sync)
        {
            _found ??= Candidates.SelectMany(name => LibraryDirectories().Select(directory => Path.Combine(directory, name)))
                .FirstOrDefault(File.Exists);
            return _found is not null || TryLoad() is null ? null : Missing;
        }
    }

    /// <summary>Loads the library once (the file found, else by name); null when it is loaded, else why not.</summary>
    public static string? TryLoad()
    {
        lock (Sync)
        {
            if (_handle == 0)
            {
                foreach (string name in _found is { } path ? [path] : Candidates)
                {
                    if (NativeLibrary.TryLoad(name, out _handle))
                    {
                        _found = name;
                        NativeLibrary.SetDllImportResolver(typeof(LibSrtLoader).Assembly, Resolve);
                        break;
                    }
                }
            }

            return _handle == 0 ? Missing : null;
        }
    }

    private static string Missing =>
        $"libsrt was not found (tried {string.Join(", ", Candidates)}; on Debian: apt install libsrt1.5-openssl)";

    /// <summary>Where the dynamic loader looks by default: LD_LIBRARY_PATH, then the system's library directories.</summary>
    private static IEnumerable<string> LibraryDirectories()
    {
        string[] system = ["/usr/local/lib", "/lib", "/usr/lib", "/lib64", "/usr/lib64"];
        string triplet = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64-linux-gnu",
            Architecture.Arm64 => "aarch64-linux-gnu",
            _ => "",
        };
        var directories = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(triplet.Length > 0 ? system.Select(directory => Path.Combine(directory, triplet)) : [])
            .Concat(system);
        return directories.Where(Path.IsPathRooted);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibSrt.Library ? _handle : 0;
}
