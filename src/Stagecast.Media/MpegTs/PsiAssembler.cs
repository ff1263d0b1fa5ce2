namespace Stagecast.Media.MpegTs;

/// <summary>
/// Puts PSI sections back together from the payloads of one PID (2.4.4.1): a packet that starts a section carries a
/// pointer_field saying where; a section may span packets; 0xFF after a section is stuffing.
/// </summary>
internal sealed class PsiAssembler
{
    public delegate void SectionHandler(ReadOnlySpan<byte> section);

    private readonly byte[] _section = new byte[PsiSection.PrefixLength + PsiSection.MaxSectionLength];
    private int _length;
    private bool _collecting;

    public void Reset()
    {
        _length = 0;
        _collecting = false;
    }

    public void Push(in TsPacket packet, ReadOnlySpan<byte> payload, SectionHandler handler)
    {
        if (!packet.HasPayload)
        {
            return;
        }

        if (packet.PayloadUnitStart)
        {
            int pointer = payload[0];
            if (1 + pointer > payload.Length)
            {
                ThrowHelper.Malformed($"PSI pointer_field {pointer} exceeds the packet");
            }

            if (_collecting && _length > 0)
            {
                Collect(payload.Slice(1, pointer), handler); // the end of the section the previous packet began
            }

            payload = payload[(1 + pointer)..];
            _length = 0;
            _collecting = true;
        }

        if (_collecting)
        {
            Collect(payload, handler);
        }
    }

    private void Collect(ReadOnlySpan<byte> data, SectionHandler handler)
    {
        while (!data.IsEmpty)
        {
            if (_length == 0 && data[0] == 0xFF)
            {
                _collecting = false; // stuffing: no more sections in this packet
                return;
            }

            int wanted = _length < PsiSection.PrefixLength
                ? PsiSection.PrefixLength - _length
                : PsiSection.PrefixLength + PsiSection.SectionLength(_section) - _length;
            int take = Math.Min(wanted, data.Length);
            data[..take].CopyTo(_section.AsSpan(_length));
            _length += take;
            data = data[take..];
            if (_length >= PsiSection.PrefixLength && _length == PsiSection.PrefixLength + PsiSection.SectionLength(_section))
            {
                int length = _length;
                _length = 0;
                handler(_section.AsSpan(0, length));
            }
        }

        if (_length == 0)
        {
            _collecting = false; // a new section starts only in a packet that says where
        }
    }
}
