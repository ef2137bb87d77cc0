using System.Collections.Concurrent;
using System.Text.Unicode;
using ProtoBuf;
using ProtoBuf.Meta;

namespace Huren.Schemas.Envelope;

/// <summary>
/// The wire rules of deterministic proto3 for one protobuf-net contract, read from its model: fields in number order,
/// each singular field at most once, default values omitted (empty string or bytes, 0, false, the first enum value,
/// empty repeated), repeated scalars packed, varints minimal and in range of their field's type (a 32-bit field's
/// value fits 32 bits, a negative int32 sign-extended as proto3 writes it), strings valid UTF-8, no unknown fields.
/// Bytes that pass are exactly what protobuf-net writes for the message they decode to (a property test holds it to
/// that), so decoding needs no re-encode to prove it. Checking scans the bytes once and allocates nothing unless it
/// fails; the message names the field and the rule.
/// </summary>
internal sealed class CanonicalForm
{
    private const int WireVarint = 0;
    private const int WireLengthDelimited = 2;

    private static readonly ConcurrentDictionary<Type, CanonicalForm> Forms = new();

    private readonly Field?[] _byNumber;

    private CanonicalForm(Field?[] byNumber) => _byNumber = byNumber;

    private enum Kind
    {
        /// <summary>int64, uint64: every 64-bit value.</summary>
        Varint,
        /// <summary>int32 and enums: a value that fits 31 bits, or a negative one sign-extended to 64 bits.</summary>
        Int32,
        /// <summary>uint32: a value that fits 32 bits.</summary>
        UInt32,
        Bool,
        String,
        Bytes,
        Message,
    }

    /// <summary>The rules of <paramref name="type"/>, built once from protobuf-net's model of it.</summary>
    /// <exception cref="NotSupportedException">A member type the rules do not cover.</exception>
    public static CanonicalForm For(Type type) => Forms.TryGetValue(type, out var form) ? form : Forms.GetOrAdd(type, Build(type));

    /// <summary>Whether <paramref name="bytes"/> are in canonical form; <paramref name="error"/> names the field and the rule.</summary>
    public bool IsCanonical(ReadOnlySpan<byte> bytes, out string? error)
    {
        var position = 0;
        Field? previous = null;
        while (position < bytes.Length)
        {
            var tagStart = position;
            if (!TryReadVarint(bytes, ref position, out var tag, out var minimal))
            {
                error = $"the field tag at byte {tagStart} is truncated or too long";
                return false;
            }
            if (!minimal)
            {
                error = $"the field tag at byte {tagStart} is an over-long varint";
                return false;
            }
            var number = tag >> 3;
            var wire = (int)(tag & 7);
            if (number == 0 || number > int.MaxValue)
            {
                error = $"the field tag at byte {tagStart} has field number {number}";
                return false;
            }
            var field = number < (ulong)_byNumber.Length ? _byNumber[number] : null;
            if (field is null)
            {
                error = $"unknown field {number}";
                return false;
            }
            if (previous is not null)
            {
                if (field.Number < previous.Number)
                {
                    error = $"field {field} follows field {previous}";
                    return false;
                }
                if (field.Number == previous.Number && (!field.Repeated || field.Packed))
                {
                    error = $"field {field} is written more than once";
                    return false;
                }
            }
            previous = field;
            if (wire != field.WireType)
            {
                error = field.Packed && wire != WireLengthDelimited
                    ? $"field {field} is a repeated scalar written unpacked (proto3 packs repeated scalars)"
                    : $"field {field} has wire type {wire}, expected {field.WireType}";
                return false;
            }
            if (!CheckValue(field, bytes, ref position, out error)) return false;
        }
        error = null;
        return true;
    }

    private static bool CheckValue(Field field, ReadOnlySpan<byte> bytes, ref int position, out string? error)
    {
        switch (field.Kind)
        {
            case Kind.Varint:
            case Kind.Int32:
            case Kind.UInt32:
            case Kind.Bool:
                return field.Packed ? CheckPacked(field, bytes, ref position, out error) : CheckVarint(field, bytes, ref position, out error);
            default:
                if (!TryReadLength(bytes, ref position, out var length, out var minimal) || !minimal)
                {
                    error = minimal ? $"field {field} is truncated" : $"field {field} has an over-long length varint";
                    return false;
                }
                var value = bytes.Slice(position, length);
                position += length;
                if (length == 0 && !field.Repeated && field.Kind != Kind.Message)
                {
                    error = $"field {field} is written with its default value";
                    return false;
                }
                if (field.Kind == Kind.String && !Utf8.IsValid(value))
                {
                    error = $"field {field} is not valid UTF-8";
                    return false;
                }
                if (field.Kind == Kind.Message && !field.Message!.IsCanonical(value, out var inner))
                {
                    error = $"field {field}: {inner}";
                    return false;
                }
                error = null;
                return true;
        }
    }

    private static bool CheckVarint(Field field, ReadOnlySpan<byte> bytes, ref int position, out string? error)
    {
        if (!TryReadVarint(bytes, ref position, out var value, out var minimal))
        {
            error = $"field {field} is truncated or its varint too long";
            return false;
        }
        if (!minimal)
        {
            error = $"field {field} is an over-long varint";
            return false;
        }
        if (value == 0 && !field.Repeated)
        {
            error = $"field {field} is written with its default value";
            return false;
        }
        if (!InRange(field.Kind, value))
        {
            error = OutOfRange(field, value, "is");
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Whether a varint's value is one its field's type holds, as protobuf-net would write it back.</summary>
    private static bool InRange(Kind kind, ulong value) => kind switch
    {
        Kind.Bool => value <= 1,
        Kind.Int32 => value <= int.MaxValue || value >= unchecked((ulong)int.MinValue),
        Kind.UInt32 => value <= uint.MaxValue,
        _ => true,
    };

    private static string OutOfRange(Field field, ulong value, string verb) => field.Kind == Kind.Bool
        ? $"field {field} {verb} a bool written as {value}"
        : $"field {field} {verb} {value}, out of range for a {(field.Kind == Kind.Int32 ? "32-bit signed" : "32-bit unsigned")} field";

    private static bool CheckPacked(Field field, ReadOnlySpan<byte> bytes, ref int position, out string? error)
    {
        if (!TryReadLength(bytes, ref position, out var length, out var minimal) || !minimal)
        {
            error = minimal ? $"field {field} is truncated" : $"field {field} has an over-long length varint";
            return false;
        }
        if (length == 0)
        {
            error = $"field {field} is written with its default value (an empty packed list)";
            return false;
        }
        var packed = bytes.Slice(position, length);
        position += length;
        var at = 0;
        while (at < packed.Length)
        {
            if (!TryReadVarint(packed, ref at, out var value, out minimal) || !minimal)
            {
                error = minimal ? $"field {field} holds a truncated varint" : $"field {field} holds an over-long varint";
                return false;
            }
            if (!InRange(field.Kind, value))
            {
                error = OutOfRange(field, value, "holds");
                return false;
            }
        }
        error = null;
        return true;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> bytes, ref int position, out int length, out bool minimal)
    {
        length = 0;
        if (!TryReadVarint(bytes, ref position, out var value, out minimal)) return false;
        if (value > (ulong)(bytes.Length - position))
        {
            minimal = true;
            return false;
        }
        length = (int)value;
        return true;
    }

    /// <summary>Reads a base-128 varint of at most 10 bytes; <paramref name="minimal"/> is false when it has needless trailing zero groups.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value, out bool minimal)
    {
        value = 0;
        minimal = true;
        for (var i = 0; i < 10; i++)
        {
            if (position + i >= bytes.Length) return false;
            var b = bytes[position + i];
            if (i == 9 && b > 1) return false; // more than 64 bits
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                minimal = i == 0 || b != 0;
                position += i + 1;
                return true;
            }
        }
        return false;
    }

    private static CanonicalForm Build(Type type)
    {
        var fields = new List<Field>();
        foreach (var member in RuntimeTypeModel.Default[type].GetFields())
        {
            var itemType = member.ItemType;
            var repeated = itemType is not null && member.MemberType != typeof(byte[]);
            var valueType = repeated ? itemType! : member.MemberType;
            var kind = KindOf(valueType, member.DataFormat, type, member.Name);
            if (repeated && kind is not (Kind.String or Kind.Bytes or Kind.Message) && !member.IsPacked)
                throw new NotSupportedException($"{type.Name}.{member.Name}: a repeated scalar must be packed (IsPacked = true) to be deterministic proto3");
            fields.Add(new Field(member.FieldNumber, member.Name, kind, repeated, repeated && member.IsPacked,
                kind == Kind.Message ? For(valueType) : null));
        }
        var byNumber = new Field?[fields.Count == 0 ? 1 : fields.Max(f => f.Number) + 1];
        foreach (var field in fields) byNumber[field.Number] = field;
        return new CanonicalForm(byNumber);
    }

    private static Kind KindOf(Type type, DataFormat format, Type owner, string member)
    {
        if (type == typeof(string)) return Kind.String;
        if (type == typeof(byte[])) return Kind.Bytes;
        if (type == typeof(bool)) return Kind.Bool;
        if (type.IsEnum)
        {
            return Enum.GetUnderlyingType(type) == typeof(int)
                ? Kind.Int32
                : throw new NotSupportedException($"{owner.Name}.{member}: enum {type.Name} is not backed by int, which the canonical rules assume");
        }
        if (type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong))
        {
            // Fixed-size and zig-zag encodings are not used by any contract; a new one must extend these rules first.
            if (format is not (DataFormat.Default or DataFormat.TwosComplement))
                throw new NotSupportedException($"{owner.Name}.{member}: data format {format} is not covered by the canonical rules");
            return type == typeof(int) ? Kind.Int32 : type == typeof(uint) ? Kind.UInt32 : Kind.Varint;
        }
        if (type.IsClass && Attribute.IsDefined(type, typeof(ProtoContractAttribute))) return Kind.Message;
        throw new NotSupportedException($"{owner.Name}.{member}: type {type.Name} is not covered by the canonical rules");
    }

    private sealed class Field(int number, string name, Kind kind, bool repeated, bool packed, CanonicalForm? message)
    {
        public int Number { get; } = number;

        public Kind Kind { get; } = kind;

        public bool Repeated { get; } = repeated;

        public bool Packed { get; } = packed;

        public CanonicalForm? Message { get; } = message;

        public int WireType { get; } = !packed && kind is Kind.Varint or Kind.Int32 or Kind.UInt32 or Kind.Bool ? WireVarint : WireLengthDelimited;

        /// <summary>"3 (issuer_id)", as the messages name a field.</summary>
        public override string ToString() => $"{Number} ({name})";
    }
}
