namespace Stagecast.Testing;

/// <summary>
/// A whisper.cpp model made here, since none can be downloaded on these machines: the ggml file's layout as
/// whisper.cpp's <c>models/convert-pt-to-ggml.py</c> writes it and whisper.cpp 1.8's <c>whisper_model_load</c> (the
/// version Whisper.net 1.9.1 carries) reads it, with every tensor the loader expects by name and shape, but a tiny
/// architecture (64-wide, one layer, one head each side) and random weights. It loads and runs as a real model does,
/// on the same code paths (f16 matrices, 80 mel bins, 1500 audio positions for 30 s windows, an English-only
/// vocabulary of 51864 tokens); what it "hears" is noise, so it shows the plumbing, never recognition or a real
/// model's speed.
/// </summary>
/// <remarks>
/// The file: the magic <c>ggml</c>; eleven int32 hyperparameters (n_vocab, n_audio_ctx, n_audio_state, n_audio_head,
/// n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype); the mel filters (int32 rows,
/// int32 columns, float32s); the vocabulary (int32 count, then each token's int32 length and bytes: GPT-2's 50256
/// byte sequences only, whisper.cpp adds the special tokens up to n_vocab itself); then each tensor (int32 dimensions,
/// name length and type (0 float32, 1 float16), each dimension innermost first, the name, the data). As the
/// converter does, matrices are float16 and vectors, conv biases and positional embeddings float32.
/// </remarks>
public static class GeneratedWhisperModel
{
    private const int Vocabulary = 51864; // English-only: a multilingual model has 51865 or more
    private const int FileTokens = 50256; // GPT-2's tokens, without <|endoftext|>, as gpt2.tiktoken lists them
    private const int Space = 220;
    private const int AudioContext = 1500; // 3000 mel frames (30 s) halved by the second convolution
    private const int TextContext = 448;
    private const int State = 64;
    private const int Mels = 80;
    private const int FftBins = 201; // whisper's 400-sample FFT

    /// <summary>Writes the model to <paramref name="path"/> (7.4 MB) and returns the path.</summary>
    public static string Write(string path, int seed = 55)
    {
        var random = new Random(seed);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(0x67676d6cu);
        foreach (int value in new[] { Vocabulary, AudioContext, State, 1, 1, TextContext, State, 1, 1, Mels, 1 })
        {
            writer.Write(value);
        }

        writer.Write(Mels);
        writer.Write(FftBins);
        foreach (float weight in MelFilters())
        {
            writer.Write(weight);
        }

        writer.Write(FileTokens);
        for (int i = 0; i < FileTokens; i++)
        {
            // Made-up words, and the space where GPT-2 has it: whisper.cpp looks " " up to keep it off a segment's start.
            byte[] token = System.Text.Encoding.ASCII.GetBytes(i == Space ? " " : $" w{i}");
            writer.Write(token.Length);
            writer.Write(token);
        }

        foreach (var (name, shape) in Tensors())
        {
            WriteTensor(writer, random, name, shape);
        }

        return path;
    }

    /// <summary>Every tensor whisper.cpp's loader creates, by name and shape (ggml's order, innermost first).</summary>
    private static IEnumerable<(string Name, int[] Shape)> Tensors()
    {
        yield return ("encoder.positional_embedding", [State, AudioContext]);
        yield return ("encoder.conv1.weight", [3, Mels, State]);
        yield return ("encoder.conv1.bias", [1, State]);
        yield return ("encoder.conv2.weight", [3, State, State]);
        yield return ("encoder.conv2.bias", [1, State]);
        foreach (var tensor in Block("encoder.blocks.0", "attn"))
        {
            yield return tensor;
        }

        yield return ("encoder.ln_post.weight", [State]);
        yield return ("encoder.ln_post.bias", [State]);
        yield return ("decoder.positional_embedding", [State, TextContext]);
        yield return ("decoder.token_embedding.weight", [State, Vocabulary]);
        foreach (var tensor in Block("decoder.blocks.0", "attn", "cross_attn"))
        {
            yield return tensor;
        }

        yield return ("decoder.ln.weight", [State]);
        yield return ("decoder.ln.bias", [State]);
    }

    private static IEnumerable<(string Name, int[] Shape)> Block(string block, params string[] attentions)
    {
        foreach (string attention in attentions)
        {
            yield return ($"{block}.{attention}_ln.weight", [State]);
            yield return ($"{block}.{attention}_ln.bias", [State]);
            foreach (string projection in new[] { "query", "key", "value", "out" })
            {
                yield return ($"{block}.{attention}.{projection}.weight", [State, State]);
                if (projection != "key") // whisper's key projections have no bias
                {
                    yield return ($"{block}.{attention}.{projection}.bias", [State]);
                }
            }
        }

        yield return ($"{block}.mlp_ln.weight", [State]);
        yield return ($"{block}.mlp_ln.bias", [State]);
        yield return ($"{block}.mlp.0.weight", [State, 4 * State]);
        yield return ($"{block}.mlp.0.bias", [4 * State]);
        yield return ($"{block}.mlp.2.weight", [4 * State, State]);
        yield return ($"{block}.mlp.2.bias", [State]);
    }

    private static void WriteTensor(BinaryWriter writer, Random random, string name, int[] shape)
    {
        bool half = shape.Length > 1 && !name.EndsWith(".bias", StringComparison.Ordinal) && !name.EndsWith("positional_embedding", StringComparison.Ordinal);
        byte[] nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        writer.Write(shape.Length);
        writer.Write(nameBytes.Length);
        writer.Write(half ? 1 : 0);
        foreach (int dimension in shape)
        {
            writer.Write(dimension);
        }

        writer.Write(nameBytes);

        // Layer norms pass their input on (weight 1, bias 0), biases are 0, everything else small and random.
        bool norm = name.Contains("ln", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
        bool bias = name.EndsWith(".bias", StringComparison.Ordinal);
        int count = shape.Aggregate(1, (a, b) => a * b);
        for (int i = 0; i < count; i++)
        {
            float value = norm ? 1 : bias ? 0 : (float)((random.NextDouble() * 0.2) - 0.1);
            if (half)
            {
                writer.Write((Half)value);
            }
            else
            {
                writer.Write(value);
            }
        }
    }

    /// <summary>Triangular filters evenly spaced on the mel scale from 0 to 8 kHz, as whisper's (near enough).</summary>
    private static IEnumerable<float> MelFilters()
    {
        static double Mel(double hz) => 2595 * Math.Log10(1 + (hz / 700));
        static double Hz(double mel) => 700 * (Math.Pow(10, mel / 2595) - 1);
        double[] edges = [.. Enumerable.Range(0, Mels + 2).Select(i => Hz(Mel(8000) * i / (Mels + 1)))];
        for (int m = 0; m < Mels; m++)
        {
            for (int bin = 0; bin < FftBins; bin++)
            {
                double hz = bin * 8000.0 / (FftBins - 1);
                double rise = (hz - edges[m]) / (edges[m + 1] - edges[m]);
                double fall = (edges[m + 2] - hz) / (edges[m + 2] - edges[m + 1]);
                yield return (float)Math.Max(0, Math.Min(rise, fall));
            }
        }
    }
}
