namespace Stagecast.Media.Fmp4;

/// <summary>
/// The boxes of a payload held in memory (a moov, a moof, their children), one after the other. A box whose size runs
/// past the payload, or a large or to-the-end box, is malformed here: those are for top-level boxes in a file.
/// </summary>
public ref struct BoxReader(ReadOnlySpan<byte> payload)
{
    private ReadOnlySpan<byte> _rest = payload;

    /// <summary>The next box's type and its payload (after the header); false at the end.</summary>
    public bool TryRead(out uint type, out ReadOnlySpan<byte> body)
    {
        type = 0;
        body = default;
        if (_rest.IsEmpty)
        {
            return false;
        }

        if (!BoxHeader.TryRead(_rest, out var header) || header.HeaderLength != 8 || header.ToEnd || header.Size > _rest.Length)
        {
            return ThrowHelper.Malformed<bool>($"a box runs past its parent ({_rest.Length} bytes left)");
        }

        type = header.Type;
        body = _rest[8..(int)header.Size];
        _rest = _rest[(int)header.Size..];
        return true;
    }

    /// <summary>The first box of <paramref name="type"/> among <paramref name="payload"/>'s; false when none.</summary>
    public static bool TryFind(ReadOnlySpan<byte> payload, uint type, out ReadOnlySpan<byte> body)
    {
        var reader = new BoxReader(payload);
        while (reader.TryRead(out uint found, out body))
        {
            if (found == type)
            {
                return true;
            }
        }

        return false;
    }
}
