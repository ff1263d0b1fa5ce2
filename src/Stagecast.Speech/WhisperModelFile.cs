using System.Buffers.Binary;

namespace Stagecast.Speech;

/// <summary>
/// Checks a whisper.cpp model file's header before whisper.cpp reads it: whisper.cpp trusts the sizes it reads, and a
/// file that is not a model (a failed download's HTML page) or whose header is broken makes it throw a C++ exception
/// that ends the process. Read here: the magic, the eleven hyperparameters (each within what any whisper model has),
/// the mel filters' size, and every vocabulary entry's length, all within the file (a real model's vocabulary lists
/// fewer tokens than its header counts: the special ones are whisper.cpp's to add).
/// </summary>
internal static class WhisperModelFile
{
    private const uint Magic = 0x67676d6c; // "ggml"

    /// <summary>The smallest vocabulary of a multilingual model (whisper.cpp's <c>is_multilingual</c>): English-only ones have 51864.</summary>
    private const int MultilingualVocabulary = 51_865;

    /// <summary>Whether the model (one <see cref="Problem"/> found nothing wrong with) recognises every language, not English alone.</summary>
    public static bool IsMultilingual(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        reader.BaseStream.Seek(4, SeekOrigin.Begin);
        return reader.ReadInt32() >= MultilingualVocabulary;
    }

    /// <summary>What is wrong with the file, worded to follow its path, or null when whisper.cpp may read it.</summary>
    public static string? Problem(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        long length = file.Length;
        if (length < 4 || reader.ReadUInt32() != Magic)
        {
            return "is not a whisper.cpp (ggml) model";
        }

        if (length < 4 + (11 * 4))
        {
            return "is cut short (its header is incomplete)";
        }

        int[] hyper = [.. Enumerable.Range(0, 11).Select(_ => reader.ReadInt32())];
        (int vocab, int mels) = (hyper[0], hyper[9]);
        bool sane = vocab is > 0 and <= 1_000_000
            && hyper[1..9].All(v => v is > 0 and <= 65_536)
            && mels is > 0 and <= 512
            && hyper[10] is >= 0 and < 100_000;
        if (!sane)
        {
            return "has a broken header (its hyperparameters are not a whisper model's)";
        }

        if (file.Position + 8 > length)
        {
            return "is cut short (in its mel filters)";
        }

        long filterFloats = (long)reader.ReadInt32() * reader.ReadInt32();
        if (filterFloats < 0 || file.Position + (filterFloats * 4) + 4 > length)
        {
            return "is cut short or broken (in its mel filters)";
        }

        // The file lists the tokenizer's tokens only (GPT-2's 50256 in an English-only model, 50257 in a multilingual
        // one: whisper.cpp's converter writes them so); whisper.cpp adds the special tokens up to the header's count.
        file.Seek(filterFloats * 4, SeekOrigin.Current);
        int listed = reader.ReadInt32();
        if (listed <= 0 || listed > vocab)
        {
            return "has a broken vocabulary (it lists more tokens than the header has, or none)";
        }

        Span<byte> size = stackalloc byte[4];
        bool space = false;
        for (int i = 0; i < listed; i++)
        {
            if (file.Read(size) < 4)
            {
                return "is cut short (in its vocabulary)";
            }

            uint word = BinaryPrimitives.ReadUInt32LittleEndian(size);
            if (word > 1024 || file.Position + word > length)
            {
                return "has a broken vocabulary";
            }

            if (word == 1)
            {
                space |= reader.ReadByte() == (byte)' ';
            }
            else
            {
                file.Seek(word, SeekOrigin.Current);
            }
        }

        // whisper.cpp looks the token " " up on every utterance (to keep it off a segment's start): a vocabulary without
        // it loads, then ends the process with a C++ exception at the first utterance.
        if (!space)
        {
            return "has a broken vocabulary (it has no \" \" token)";
        }

        return file.Position < length ? null : "is cut short (it has no weights)";
    }
}
