using System.Buffers;
using ProtoBuf;

namespace Huren.Schemas.Envelope;

/// <summary>
/// Encodes messages with protobuf-net and decodes them only when the bytes are exactly what protobuf-net writes
/// for the decoded message: no unknown, repeated or out-of-order fields, so no two parsers read one signed entry two ways.
/// </summary>
public static class CanonicalCodec
{
    /// <summary>Encodes a message with protobuf-net.</summary>
    public static byte[] Encode<T>(T message)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        Serializer.Serialize(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/> as <typeparamref name="T"/> and checks that they are canonical.
    /// Returns false with a message naming the problem when they are malformed or not canonical.
    /// </summary>
    public static bool TryDecode<T>(ReadOnlyMemory<byte> bytes, out T? message, out string? error)
    {
        message = default;
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
        // Re-encode into a pooled buffer and compare: only to prove canonical form, never to sign or hash.
        var writer = new ArrayBufferWriter<byte>(bytes.Length + 16);
        Serializer.Serialize(writer, message);
        if (!writer.WrittenSpan.SequenceEqual(bytes.Span))
        {
            error = $"{typeof(T).Name} bytes are not canonical (unknown, repeated or out-of-order fields)";
            message = default;
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Decodes canonical bytes or throws <see cref="FormatException"/> with the reason.</summary>
    public static T Decode<T>(ReadOnlyMemory<byte> bytes)
        => TryDecode<T>(bytes, out var message, out var error) ? message! : throw new FormatException(error);
}
