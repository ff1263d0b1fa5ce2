namespace Stagecast.Fuzz;

/// <summary>
/// Mutation-based input generation: a seed (a real, valid input) with one to eight random edits: bit flips, random
/// and boundary bytes and 16/32-bit numbers (lengths are where parsers break), insertions, deletions, duplicated
/// ranges, truncation, and splices with another seed. Deterministic for a given random seed, so a crash replays.
/// </summary>
public sealed class Mutator(IReadOnlyList<byte[]> seeds, int randomSeed)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF];
    private static readonly uint[] InterestingNumbers = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0xFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];
    private const int MaxLength = 64 * 1024;
    private readonly Random _random = new(randomSeed);

    public byte[] Next()
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int edits = 1 + _random.Next(8);
        for (int i = 0; i < edits; i++)
        {
            Mutate(data);
        }

        if (data.Count > MaxLength)
        {
            data.RemoveRange(MaxLength, data.Count - MaxLength);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        int position = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(10))
        {
            case 0 when data.Count > 0:
                data[position] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[position] = (byte)_random.Next(256);
                break;
            case 2 when data.Count > 0:
                data[position] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 3 when data.Count >= 2:
                WriteNumber(data, Math.Min(position, data.Count - 2), 2);
                break;
            case 4 when data.Count >= 4:
                WriteNumber(data, Math.Min(position, data.Count - 4), 4);
                break;
            case 5:
                var inserted = new byte[1 + _random.Next(16)];
                _random.NextBytes(inserted);
                data.InsertRange(position, inserted);
                break;
            case 6 when data.Count > 0:
                data.RemoveRange(position, Math.Min(data.Count - position, 1 + _random.Next(16)));
                break;
            case 7 when data.Count > 0:
                int length = Math.Min(data.Count - position, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count), data.GetRange(position, length));
                break;
            case 8 when data.Count > 0:
                data.RemoveRange(position, data.Count - position);
                break;
            default:
                var other = seeds[_random.Next(seeds.Count)];
                if (other.Length > 0)
                {
                    int from = _random.Next(other.Length);
                    data.InsertRange(position, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(256))).ToArray());
                }

                break;
        }
    }

    private void WriteNumber(List<byte> data, int position, int width)
    {
        uint value = InterestingNumbers[_random.Next(InterestingNumbers.Length)];
        if (_random.Next(2) == 0)
        {
            value += (uint)(_random.Next(3) - 1); // off by one either way
        }

        for (int i = 0; i < width; i++)
        {
            data[position + i] = (byte)(value >> (8 * (width - 1 - i)));
        }
    }
}
