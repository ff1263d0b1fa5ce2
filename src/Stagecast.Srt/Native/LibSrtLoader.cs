using System.Reflection;
using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// Finds libsrt at run time, the OpenSSL build first: Debian's libsrt1.5-openssl installs libsrt.so.1.5 (other
/// distributions name it libsrt-openssl.so.1.5), libsrt1.5-gnutls (which ffmpeg pulls in) libsrt-gnutls.so.1.5, a
/// build from source libsrt.so. The first that loads is used for every call; when none does, the server runs without
/// SRT.
/// </summary>
internal static class LibSrtLoader
{
    private static readonly string[] Candidates = ["libsrt-openssl.so.1.5", "libsrt.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so"];
    private static readonly Lock Sync = new();
    private static bool _resolverSet;
    private static nint _handle;

    /// <summary>The file name that loaded, for the log.</summary>
    public static string? Loaded { get; private set; }

    /// <summary>Loads the library once; null when it loaded, else why not (the file names tried).</summary>
    public static string? TryLoad()
    {
        lock (Sync)
        {
            if (_handle == 0)
            {
                foreach (string name in Candidates)
                {
                    if (NativeLibrary.TryLoad(name, out _handle))
                    {
                        Loaded = name;
                        break;
                    }
                }
            }

            if (_handle == 0)
            {
                return $"libsrt was not found (tried {string.Join(", ", Candidates)}; on Debian: apt install libsrt1.5-openssl)";
            }

            if (!_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(LibSrtLoader).Assembly, Resolve);
                _resolverSet = true;
            }

            return null;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibSrt.Library ? _handle : 0;
}
