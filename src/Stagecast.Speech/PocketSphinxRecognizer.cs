using System.Runtime.InteropServices;

namespace Stagecast.Speech;

/// <summary>
/// CMU PocketSphinx (Debian 12's libpocketsphinx3, the 5prealpha C API) with the US English models of
/// <c>pocketsphinx-en-us</c>: one decoder, an utterance at a time. Loading it took 0.27 s here.
/// </summary>
public sealed partial class PocketSphinxRecognizer : ISpeechRecognizer
{
    private const string Library = "libpocketsphinx.so.3";
    private const string BaseLibrary = "libsphinxbase.so.3";

    private readonly Lock _sync = new();
    private IntPtr _decoder;

    public PocketSphinxRecognizer(string modelDirectory)
    {
        string[] files = [Path.Combine(modelDirectory, "en-us"), Path.Combine(modelDirectory, "en-us.lm.bin"), Path.Combine(modelDirectory, "cmudict-en-us.dict")];
        if (files.FirstOrDefault(f => !File.Exists(f) && !Directory.Exists(f)) is { } missing)
        {
            throw new SpeechEngineException($"pocketsphinx: {missing} is missing (install Debian's pocketsphinx-en-us, or name a model directory)");
        }

        IntPtr config;
        try
        {
            string[] args = ["pocketsphinx", "-hmm", files[0], "-lm", files[1], "-dict", files[2], "-logfn", "/dev/null"];
            config = ParseArguments(IntPtr.Zero, Arguments(), args.Length, args, 1);
        }
        catch (DllNotFoundException ex)
        {
            throw new SpeechEngineException("pocketsphinx: libpocketsphinx.so.3 is not installed (Debian's libpocketsphinx3)", ex);
        }

        if (config == IntPtr.Zero)
        {
            throw new SpeechEngineException($"pocketsphinx: the model in {modelDirectory} was refused");
        }

        _decoder = Init(config);
        _ = FreeConfiguration(config); // the decoder holds its own reference
        if (_decoder == IntPtr.Zero)
        {
            throw new SpeechEngineException($"pocketsphinx: the model in {modelDirectory} could not be loaded");
        }
    }

    public string Engine => "pocketsphinx";

    public bool Recognises(string language) => language == "en";

    public string Recognize(ReadOnlySpan<short> samples, SpeechSettings? settings = null)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_decoder == IntPtr.Zero, this);
            if (StartUtterance(_decoder) < 0 || ProcessRaw(_decoder, samples, (nuint)samples.Length, 0, 1) < 0 || EndUtterance(_decoder) < 0)
            {
                return "";
            }

            return Marshal.PtrToStringUTF8(Hypothesis(_decoder, out _))?.Trim() ?? "";
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_decoder != IntPtr.Zero)
            {
                _ = Free(_decoder);
                _decoder = IntPtr.Zero;
            }
        }
    }

    [LibraryImport(Library, EntryPoint = "ps_args")]
    private static partial IntPtr Arguments();

    [LibraryImport(BaseLibrary, EntryPoint = "cmd_ln_parse_r", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr ParseArguments(IntPtr config, IntPtr definitions, int argc, string[] argv, int strict);

    [LibraryImport(BaseLibrary, EntryPoint = "cmd_ln_free_r")]
    private static partial int FreeConfiguration(IntPtr config);

    [LibraryImport(Library, EntryPoint = "ps_init")]
    private static partial IntPtr Init(IntPtr config);

    [LibraryImport(Library, EntryPoint = "ps_free")]
    private static partial int Free(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "ps_start_utt")]
    private static partial int StartUtterance(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "ps_process_raw")]
    private static partial int ProcessRaw(IntPtr decoder, ReadOnlySpan<short> data, nuint samples, int noSearch, int fullUtterance);

    [LibraryImport(Library, EntryPoint = "ps_end_utt")]
    private static partial int EndUtterance(IntPtr decoder);

    [LibraryImport(Library, EntryPoint = "ps_get_hyp")]
    private static partial IntPtr Hypothesis(IntPtr decoder, out int bestScore);
}
