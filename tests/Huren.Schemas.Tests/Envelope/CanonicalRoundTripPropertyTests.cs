using System.Buffers;
using System.Reflection;
using CsCheck;
using Huren.Schemas.Envelope;
using ProtoBuf;
using ProtoBuf.Meta;

namespace Huren.Schemas.Tests.Envelope;

/// <summary>
/// <see cref="CanonicalCodec.TryDecode{T}"/> does not re-encode what it decodes: it relies on the canonical rules alone
/// meaning "exactly what protobuf-net writes for the decoded message". These properties hold it to that over every
/// contract, with bytes built field by field from protobuf-net's own model: in-range and out-of-range varints (32-bit
/// fields included), defaults written out, fields repeated or out of order, unpacked scalars, invalid UTF-8 and nested
/// messages. Whatever is accepted must come back byte for byte from protobuf-net; whatever the rules allow by
/// construction must be accepted.
/// </summary>
public class CanonicalRoundTripPropertyTests
{
    private static readonly Type[] Contracts =
        [typeof(Entry), typeof(SignedEntry), .. EntryKinds.All.Select(k => k.BodyType).Distinct()];

    [Fact]
    public void Accepted_bytes_are_exactly_what_protobuf_net_writes_back_and_canonical_ones_are_accepted()
    {
        var accepted = 0;
        var refused = 0;
        Gen.Int[0, Contracts.Length - 1].Select(Gen.Int).Sample((contract, seed) =>
        {
            var type = Contracts[contract];
            var random = new Random(seed);
            var (bytes, canonical) = new MessageWriter(random).Write(type, depth: 0);
            var ok = TryDecode(type, bytes, out var message, out var error);
            if (ok)
            {
                Interlocked.Increment(ref accepted);
                var written = Encode(type, message!);
                Assert.True(written.AsSpan().SequenceEqual(bytes),
                    $"{type.Name} accepted but protobuf-net writes it back differently: in {Convert.ToHexString(bytes)}, out {Convert.ToHexString(written)}");
            }
            else
            {
                Interlocked.Increment(ref refused);
            }
            Assert.True(!canonical || ok, $"{type.Name} built canonical was refused ({error}): {Convert.ToHexString(bytes)}");
        }, iter: 20_000);
        // Both outcomes are exercised, or the property says nothing.
        Assert.True(accepted > 2_000 && refused > 2_000, $"accepted {accepted}, refused {refused}");
    }

    [Theory]
    [InlineData(0x7FFF_FFFFUL, true)]
    [InlineData(0x8000_0000UL, false)]
    [InlineData(0xFFFF_FFFFUL, false)]
    [InlineData(0xFFFF_FFFF_8000_0000UL, true)]
    [InlineData(0xFFFF_FFFF_7FFF_FFFFUL, false)]
    [InlineData(ulong.MaxValue, true)]
    public void An_int32_field_holds_31_bits_or_a_sign_extended_negative(ulong value, bool accepted)
    {
        // LicenseStatusChanged.action (field 2) is an enum, read as int32.
        byte[] bytes = [0x0A, 0x01, (byte)'L', 0x10, .. Varint(value)];
        Assert.Equal(accepted, CanonicalCodec.TryDecode<Huren.Schemas.Bodies.LicenseStatusChanged>(bytes, out _, out var error));
        if (!accepted) Assert.Equal($"LicenseStatusChanged is not canonical: field 2 (action) is {value}, out of range for a 32-bit signed field", error);
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static bool TryDecode(Type type, byte[] bytes, out object? message, out string? error)
    {
        var args = new object?[] { new ReadOnlyMemory<byte>(bytes), null, null };
        var ok = (bool)TryDecodeMethod.MakeGenericMethod(type).Invoke(null, args)!;
        message = args[1];
        error = (string?)args[2];
        return ok;
    }

    private static readonly MethodInfo TryDecodeMethod = typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.TryDecode))!;

    private static byte[] Encode(Type type, object message)
    {
        var writer = new ArrayBufferWriter<byte>();
        RuntimeTypeModel.Default.Serialize(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a message of a contract field by field from protobuf-net's model, now and then breaking a rule, and says whether it kept them all.</summary>
    private sealed class MessageWriter(Random random)
    {
        private static readonly ulong[] Edges =
        [
            0, 1, 127, 128, 16_383, 16_384, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
            0xFFFF_FFFF_8000_0000, 0xFFFF_FFFF_7FFF_FFFF, ulong.MaxValue, long.MaxValue, 2, 3,
        ];

        public (byte[] Bytes, bool Canonical) Write(Type type, int depth)
        {
            var output = new List<byte>();
            var canonical = true;
            var fields = RuntimeTypeModel.Default[type].GetFields().OrderBy(f => f.FieldNumber).ToList();
            if (fields.Count > 1 && random.Next(40) == 0)
            {
                // Two fields swapped: out of order when both are written (counted as broken either way: only accepted
                // bytes are held to the round trip, and only bytes built canonical must be accepted).
                var i = random.Next(fields.Count - 1);
                (fields[i], fields[i + 1]) = (fields[i + 1], fields[i]);
                canonical = false;
            }
            foreach (var field in fields)
            {
                if (random.Next(3) == 0) continue;
                var repeated = field.ItemType is not null && field.MemberType != typeof(byte[]);
                var valueType = repeated ? field.ItemType! : field.MemberType;
                var count = repeated ? random.Next(1, 4) : random.Next(40) == 0 ? 2 : 1;
                if (!repeated && count == 2) canonical = false;
                if (repeated && field.IsPacked && IsVarint(valueType))
                {
                    var packed = new List<byte>();
                    for (var n = 0; n < count; n++) canonical &= WriteVarint(packed, valueType, allowDefault: true);
                    if (random.Next(40) == 0)
                    {
                        // Unpacked, as proto2 writers do.
                        foreach (var b in SplitVarints(packed)) { Tag(output, field.FieldNumber, 0); output.AddRange(b); }
                        canonical = false;
                    }
                    else
                    {
                        Tag(output, field.FieldNumber, 2);
                        Length(output, packed.Count);
                        output.AddRange(packed);
                    }
                    continue;
                }
                for (var n = 0; n < count; n++) canonical &= WriteValue(output, field.FieldNumber, valueType, repeated, depth);
            }
            if (random.Next(60) == 0)
            {
                output.AddRange([0xF8, 0x07, 0x01]); // field 127: unknown to every contract
                canonical = false;
            }
            return ([.. output], canonical);
        }

        private bool WriteValue(List<byte> output, int number, Type type, bool repeated, int depth)
        {
            if (IsVarint(type))
            {
                Tag(output, number, 0);
                return WriteVarint(output, type, allowDefault: repeated);
            }
            Tag(output, number, 2);
            if (type == typeof(string))
            {
                var text = random.Next(8) switch
                {
                    0 => "",
                    1 => "长沙市市场监督管理局",
                    2 => new string((char)random.Next(0x20, 0x7F), random.Next(1, 200)),
                    _ => "430100-" + random.Next(),
                };
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                var valid = true;
                if (bytes.Length > 0 && random.Next(30) == 0)
                {
                    bytes[random.Next(bytes.Length)] = 0xFF; // never valid in UTF-8
                    valid = false;
                }
                Length(output, bytes.Length);
                output.AddRange(bytes);
                return valid && (bytes.Length > 0 || repeated);
            }
            if (type == typeof(byte[]))
            {
                var bytes = new byte[random.Next(4) == 0 ? 0 : random.Next(1, 70)];
                random.NextBytes(bytes);
                Length(output, bytes.Length);
                output.AddRange(bytes);
                return bytes.Length > 0 || repeated;
            }
            if (depth < 3 && Attribute.IsDefined(type, typeof(ProtoContractAttribute)))
            {
                var (inner, canonical) = Write(type, depth + 1);
                Length(output, inner.Length);
                output.AddRange(inner);
                return canonical;
            }
            Length(output, 0);
            return true;
        }

        private bool WriteVarint(List<byte> output, Type type, bool allowDefault)
        {
            var value = random.Next(3) == 0 ? (ulong)random.NextInt64() * (ulong)random.Next(1, 3) : Edges[random.Next(Edges.Length)];
            var inRange = type == typeof(bool) ? value <= 1
                : type == typeof(int) || type.IsEnum ? value <= int.MaxValue || value >= 0xFFFF_FFFF_8000_0000
                : type == typeof(uint) ? value <= uint.MaxValue
                : true;
            var overlong = random.Next(40) == 0;
            do
            {
                var b = (byte)(value & 0x7F);
                value >>= 7;
                output.Add(value != 0 || overlong ? (byte)(b | 0x80) : b);
            }
            while (value != 0);
            if (overlong) output.Add(0x00);
            var isDefault = output[^1] == 0 && !overlong;
            return inRange && !overlong && (allowDefault || !isDefault);
        }

        private static IEnumerable<byte[]> SplitVarints(List<byte> packed)
        {
            var start = 0;
            for (var i = 0; i < packed.Count; i++)
            {
                if ((packed[i] & 0x80) != 0) continue;
                yield return packed.GetRange(start, i - start + 1).ToArray();
                start = i + 1;
            }
        }

        private static bool IsVarint(Type type)
            => type.IsEnum || type == typeof(bool) || type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong);

        private static void Tag(List<byte> output, int number, int wire) => Length(output, number << 3 | wire);

        private static void Length(List<byte> output, int value)
        {
            var v = (uint)value;
            do
            {
                var b = (byte)(v & 0x7F);
                v >>= 7;
                output.Add(v == 0 ? b : (byte)(b | 0x80));
            }
            while (v != 0);
        }
    }
}
