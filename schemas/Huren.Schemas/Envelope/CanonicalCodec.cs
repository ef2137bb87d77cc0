using System.Buffers;
using ProtoBuf;

namespace Huren.Schemas.Envelope;

/// <summary>
/// Encodes messages with protobuf-net and decodes them only when the bytes are deterministic proto3 — what every proto3
/// library writes for the message: fields in number order, default values omitted, repeated scalars packed, no unknown
/// or repeated singular fields, varints in range of their field's type (<see cref="CanonicalForm"/>) — which is exactly
/// what protobuf-net writes for the decoded message (held by a property test over every contract, so the decoder does
/// not re-encode to prove it). So no two parsers read one signed entry two ways, and any proto3 library can write an
/// entry.
/// </summary>
public static class CanonicalCodec
{
    /// <summary>Encodes a message with protobuf-net (the contracts omit default values, so this is the canonical form).</summary>
    public static byte[] Encode<T>(T message)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        Serializer.Serialize(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> as <typeparamref name="T"/> and checks that they are canonical.
    /// Returns false with a message naming the field and the rule it breaks when they are malformed or not canonical
    /// (e.g. "Entry is not canonical: field 3 (issuer_id) is written with its default value").
    /// </summary>
    public static bool TryDecode<T>(ReadOnlyMemory<byte> bytes, out T? message, out string? error)
    {
        message = default;
        if (!CanonicalForm.For(typeof(T)).IsCanonical(bytes.Span, out var rule))
        {
            error = $"{typeof(T).Name} is not canonical: {rule}";
            return false;
        }
        try
        {
            message = Serializer.Deserialize<T>(bytes);
        }
        catch (Exception ex) when (ex is ProtoException or EndOfStreamException or InvalidOperationException or OverflowException or ArgumentException)
        {
            error = $"{typeof(T).Name} is not valid protobuf: {ex.Message}";
            return false;
        }
        if (message is null)
        {
            error = $"{typeof(T).Name} is empty";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Decodes canonical bytes or throws <see cref="FormatException"/> with the reason.</summary>
    public static T Decode<T>(ReadOnlyMemory<byte> bytes)
        => TryDecode<T>(bytes, out var message, out var error) ? message! : throw new FormatException(error);
}
