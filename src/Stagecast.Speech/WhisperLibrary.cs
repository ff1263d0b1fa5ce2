using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Whisper.net;
using Whisper.net.LibraryLoader;

namespace Stagecast.Speech;

/// <summary>
/// whisper.cpp's native libraries (Whisper.net's linux-x64 CPU runtime, <c>runtimes/linux-x64</c> beside the server),
/// loaded by Stagecast rather than by Whisper.net. Whisper.net's own loader looks for them from its assembly's location,
/// which a Native AOT binary has none of, and picks its CPU library only when <c>Avx.IsSupported</c>, which a Native AOT
/// binary compiled for the x86-64 baseline answers false on every machine: the release binary ended with "AVX is not
/// supported" on CPUs that have it. Here the CPU is asked itself (CPUID), the libraries are loaded in their dependency
/// order by path, and Whisper.net is told they are (<see cref="RuntimeOptions.LoadedLibrary"/>), its imports resolved to them.
/// </summary>
internal static class WhisperLibrary
{
    private static readonly string[] DependencyOrder = ["libggml-base-whisper.so", "libggml-cpu-whisper.so", "libggml-whisper.so", "libwhisper.so"];
    private static readonly Lock Sync = new();
    private static nint _whisper;

    /// <summary>Loads the libraries once; throws <see cref="SpeechEngineException"/> naming what is missing.</summary>
    public static void Load()
    {
        lock (Sync)
        {
            if (_whisper != 0)
            {
                return;
            }

            if (!HasAvx())
            {
                throw new SpeechEngineException("whisper: this CPU has no AVX, which whisper.cpp's CPU library needs (use --transcription-engine pocketsphinx)");
            }

            string directory = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64");
            nint handle = 0;
            foreach (string library in DependencyOrder)
            {
                string path = Path.Combine(directory, library);
                if (!NativeLibrary.TryLoad(path, out handle))
                {
                    throw new SpeechEngineException(File.Exists(path)
                        ? $"whisper: its native library {path} could not be loaded"
                        : $"whisper: its native library {path} is missing (install the release's runtimes/ folder beside the binary)");
                }
            }

            _whisper = handle;
            NativeLibrary.SetDllImportResolver(typeof(WhisperFactory).Assembly, (name, _, _) => name.StartsWith("libwhisper", StringComparison.Ordinal) ? _whisper : 0);
            RuntimeOptions.LoadedLibrary = RuntimeLibrary.Cpu;
        }
    }

    /// <summary>Whether the CPU has AVX and the OS saves its registers (CPUID leaf 1: ECX bits 27, OSXSAVE, and 28, AVX).</summary>
    private static bool HasAvx()
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }

        int ecx = X86Base.CpuId(1, 0).Ecx;
        return (ecx & (1 << 27)) != 0 && (ecx & (1 << 28)) != 0;
    }
}
