namespace Stagecast.Speech;

/// <summary>
/// An utterance cut from a speaker's audio: where it began (in samples since the first), its samples, and how many of
/// them were made up for packets lost on the way (concealed: <see cref="IsDamaged"/>).
/// </summary>
public sealed record Utterance(long StartSample, short[] Samples, int ConcealedSamples = 0)
{
    /// <summary>
    /// More than a tenth of it was made up for lost packets: what a recognizer hears in it is more guess than speech (a
    /// busy machine's live transcripts were the same wrong word over and over), so it is not worth recognising.
    /// </summary>
    public bool IsDamaged => ConcealedSamples * 10L > Samples.Length;

    public TimeSpan Start => TimeSpan.FromSeconds((double)StartSample / VoiceActivitySegmenter.SampleRate);

    public TimeSpan End => TimeSpan.FromSeconds((double)(StartSample + Samples.Length) / VoiceActivitySegmenter.SampleRate);
}

/// <summary>
/// Cuts a speaker's 16 kHz mono audio into utterances at its pauses, by energy against a tracked noise floor: a
/// 20 ms window is voiced when it is 12 dB above the floor and above -50 dBFS; an utterance starts at the first voiced
/// window (with 200 ms before it, so a soft first syllable is kept), ends after 600 ms without voice, and is cut at
/// <see cref="MaxUtterance"/> so a speaker who never pauses still gets captions. Bursts shorter than 250 ms (a click,
/// a cough) are dropped. Holds at most one utterance's samples. Samples fed as concealed (made up for lost packets)
/// are counted in the utterance they fall in.
/// </summary>
public sealed class VoiceActivitySegmenter
{
    public const int SampleRate = 16_000;
    private const int Window = SampleRate / 50;
    private const int PreRollWindows = 10;
    private const int HangoverWindows = 30;
    private const int MinSpeechWindows = 12;
    private const double FloorDb = -50;
    private const double AboveFloorDb = 12;

    public static readonly TimeSpan MaxUtterance = TimeSpan.FromSeconds(15);

    private readonly List<short> _utterance = [];
    private readonly short[] _preRoll = new short[PreRollWindows * Window]; // the newest unvoiced windows, a ring
    private int _preRollWindows;
    private int _preRollNext;
    private readonly short[] _window = new short[Window];
    private readonly int[] _preRollConcealed = new int[PreRollWindows];
    private int _windowFill;
    private int _windowConcealed;
    private int _utteranceConcealed;
    private long _samplesSeen;
    private long _utteranceStart;
    private int _silentWindows;
    private int _voicedWindows;
    private bool _speaking;
    private double _noiseDb = -70;

    /// <summary>Feeds samples (<paramref name="concealed"/>: made up for lost packets); returns the utterances they completed (usually none).</summary>
    public IReadOnlyList<Utterance> Add(ReadOnlySpan<short> samples, bool concealed = false)
    {
        List<Utterance>? done = null;
        while (!samples.IsEmpty)
        {
            int take = Math.Min(Window - _windowFill, samples.Length);
            samples[..take].CopyTo(_window.AsSpan(_windowFill));
            _windowFill += take;
            _windowConcealed += concealed ? take : 0;
            samples = samples[take..];
            if (_windowFill == Window)
            {
                _windowFill = 0;
                if (Step() is { } utterance)
                {
                    (done ??= []).Add(utterance);
                }
            }
        }

        return done ?? (IReadOnlyList<Utterance>)[];
    }

    /// <summary>The utterance under way, if it is long enough to be one (the speaker left).</summary>
    public Utterance? Flush() => _speaking ? End() : null;

    private Utterance? Step()
    {
        double db = Energy(_window);
        bool voiced = db > FloorDb && db > _noiseDb + AboveFloorDb;
        // The floor follows quiet at once and noise slowly (a second to rise 10 dB), so speech never becomes the floor.
        _noiseDb = db < _noiseDb ? db : _noiseDb + Math.Min(db - _noiseDb, 0.2);
        long windowStart = _samplesSeen;
        _samplesSeen += Window;
        int concealed = _windowConcealed;
        _windowConcealed = 0;

        if (!_speaking)
        {
            if (!voiced)
            {
                _window.CopyTo(_preRoll, _preRollNext * Window);
                _preRollConcealed[_preRollNext] = concealed;
                _preRollNext = (_preRollNext + 1) % PreRollWindows;
                _preRollWindows = Math.Min(_preRollWindows + 1, PreRollWindows);
                return null;
            }

            _speaking = true;
            _voicedWindows = 0;
            _silentWindows = 0;
            _utteranceStart = windowStart - ((long)_preRollWindows * Window);
            for (int i = _preRollWindows; i > 0; i--) // oldest first
            {
                int at = (_preRollNext - i + PreRollWindows) % PreRollWindows;
                _utterance.AddRange(_preRoll.AsSpan(at * Window, Window));
                _utteranceConcealed += _preRollConcealed[at];
            }

            _preRollWindows = 0;
        }

        _utterance.AddRange(_window);
        _utteranceConcealed += concealed;
        _voicedWindows += voiced ? 1 : 0;
        _silentWindows = voiced ? 0 : _silentWindows + 1;
        return _silentWindows >= HangoverWindows || _utterance.Count >= MaxUtterance.TotalSeconds * SampleRate ? End() : null;
    }

    private Utterance? End()
    {
        var utterance = _voicedWindows >= MinSpeechWindows ? new Utterance(_utteranceStart, [.. _utterance], _utteranceConcealed) : null;
        _utterance.Clear();
        _utteranceConcealed = 0;
        _speaking = false;
        return utterance;
    }

    private static double Energy(ReadOnlySpan<short> window)
    {
        double sum = 0;
        foreach (short s in window)
        {
            sum += (double)s * s;
        }

        double rms = Math.Sqrt(sum / window.Length) / 32768;
        return rms <= 1e-9 ? -180 : 20 * Math.Log10(rms);
    }
}
