namespace Stagecast.Media.Amf0;

/// <summary>The AMF0 undefined value (distinct from null on the wire).</summary>
public sealed class AmfUndefined
{
    public static readonly AmfUndefined Value = new();

    private AmfUndefined()
    {
    }

    public override string ToString() => "undefined";
}
