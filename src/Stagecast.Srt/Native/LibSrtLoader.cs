using System.Reflection;
using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// Finds libsrt at run time: Debian ships it as libsrt1.5-openssl (libsrt.so.1.5) or libsrt1.5-gnutls
/// (libsrt-gnutls.so.1.5, which ffmpeg pulls in); a build from source installs libsrt.so. The first that loads is
/// used for every call; when none does, the server runs without SRT.
/// </summary>
internal static class LibSrtLoader
{
    private static readonly string[] Candidates = ["libsrt-openssl.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so.1.5", "libsrt.so"];
    private static readonly Lock Sync = new();
    private static bool _resolverSet;
    private static nint _handle;

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
