using Huren.Schemas.Envelope;
using Huren.Schemas.Proto;
using Huren.Schemas.Tests.Proto;
using Huren.Schemas.Tests.TestVectors;
using ProtoBuf.Meta;

namespace Huren.Schemas.Tests.Envelope;

/// <summary>
/// Canonical = deterministic proto3, what every proto3 library writes. The vectors in
/// <c>TestVectors/canonical-entries.json</c> hold a text-format message for every body kind, <see cref="Entry"/> and
/// <see cref="SignedEntry"/>, and the hex protoc encodes it to. Both protoc compilers still write that hex,
/// protobuf-net writes exactly the same bytes for the same message, the codec accepts them, and every non-canonical
/// variant of them is refused with the field and the rule it breaks.
/// </summary>
public sealed class CanonicalVectorTests
{
    private sealed record Vector(string Name, string Message, string Text, byte[] Bytes)
    {
        public Type Type => ProtoSchemaFiles.EntryTypes.Single(t => t.Name == Message);

        public override string ToString() => Name;
    }

    private static readonly Lazy<Vector[]> All = new(() =>
    {
        using var doc = TestVectorFile.Open("canonical-entries.json");
        return [.. doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("name").GetString()!,
            v.GetProperty("message").GetString()!,
            string.Join('\n', v.GetProperty("text").EnumerateArray().Select(l => l.GetString())) + "\n",
            Convert.FromHexString(v.GetProperty("hex").GetString()!)))];
    });

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var v in All.Value) data.Add(v.Name);
            return data;
        }
    }

    private static Vector Get(string name) => All.Value.Single(v => v.Name == name);

    [Fact]
    public void There_is_a_vector_for_every_entry_kind_and_for_the_envelope()
    {
        var messages = All.Value.Select(v => v.Message).ToHashSet();
        foreach (var kind in EntryKinds.All) Assert.True(messages.Contains(kind.BodyType.Name), $"no vector for {kind.Name} ({kind.BodyType.Name})");
        Assert.Contains(nameof(Entry), messages);
        Assert.Contains(nameof(SignedEntry), messages);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_protoc_of_Grpc_Tools_encodes_the_text_to_the_vector(string name)
    {
        var v = Get(name);
        Assert.Equal(Convert.ToHexStringLower(v.Bytes), Convert.ToHexStringLower(Protoc.Encode(Protoc.GrpcTools, v.Message, v.Text)));
    }

    [ProtocOnPathFact]
    public void The_protoc_on_PATH_encodes_every_text_to_its_vector()
    {
        foreach (var v in All.Value) Assert.True(v.Bytes.AsSpan().SequenceEqual(Protoc.Encode(Protoc.OnPath!, v.Message, v.Text)), v.Name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Protobuf_net_writes_exactly_the_protoc_bytes_and_the_codec_accepts_them(string name)
    {
        var v = Get(name);
        var message = typeof(TextFormat).GetMethod(nameof(TextFormat.Parse))!.MakeGenericMethod(v.Type).Invoke(null, [v.Text])!;
        var encoded = (byte[])typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.Encode))!.MakeGenericMethod(v.Type).Invoke(null, [message])!;
        Assert.Equal(Convert.ToHexStringLower(v.Bytes), Convert.ToHexStringLower(encoded));
        Assert.True(TryDecode(v.Type, v.Bytes, out var error), error);
    }

    [Fact]
    public void A_message_of_only_default_values_encodes_to_nothing()
    {
        foreach (var type in ProtoSchemaFiles.EntryTypes)
        {
            var encoded = (byte[])typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.Encode))!.MakeGenericMethod(type).Invoke(null, [Activator.CreateInstance(type)])!;
            Assert.True(encoded.Length == 0, $"{type.Name} writes {Convert.ToHexStringLower(encoded)} for default values");
            Assert.True(TryDecode(type, [], out var error), error);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Non_canonical_variants_are_refused_with_the_field_and_the_rule(string name)
    {
        var v = Get(name);
        var fields = Split(v.Bytes);
        var names = RuntimeTypeModel.Default[v.Type].GetFields().ToDictionary(f => f.FieldNumber, f => f.Name);
        string Field(int number) => $"field {number} ({names[number]})";

        Refused(v, [.. v.Bytes, 0xA0, 0x06, 0x01], "unknown field 100");

        var (first, second) = (fields[0], fields.First(f => f.Number != fields[0].Number));
        Refused(v, Join(fields, order: [second, first]), $"{Field(first.Number)} follows {Field(second.Number)}");

        var singular = fields.First(f => fields.Count(g => g.Number == f.Number) == 1);
        Refused(v, Join(fields, extra: (singular, singular.Raw)), $"{Field(singular.Number)} is written more than once");

        // The first field written with its default value instead of being left out.
        // (Field 1's tag is one byte; a varint 0 and an empty string or byte array are both 0x00 after it.)
        Refused(v, Join(fields, replace: (first, [first.Raw[0], 0x00])), $"{Field(first.Number)} is written with its default value");

        // The first field's tag as an over-long varint (0x80 | low bits, then 0x00).
        byte[] longTag = [(byte)(first.Raw[0] | 0x80), 0x00, .. first.Raw.AsSpan(1)];
        Refused(v, Join(fields, replace: (first, longTag)), "is an over-long varint");

        var text = fields.FirstOrDefault(f => f.Wire == 2 && RuntimeTypeModel.Default[v.Type][f.Number]!.MemberType == typeof(string));
        if (text is not null)
        {
            var broken = (byte[])text.Raw.Clone();
            broken[^1] = 0xFF;
            Refused(v, Join(fields, replace: (text, broken)), $"{Field(text.Number)} is not valid UTF-8");
        }
        Refused(v, v.Bytes[..^1], "truncated");
    }

    [Fact]
    public void A_nested_message_is_held_to_the_same_rules()
    {
        var v = Get("license.issue body");
        var fields = Split(v.Bytes);
        var nested = fields.First(f => f.Number == 17);
        // Inside the first LicenseField: its name (field 1) written empty. Field 17's tag is two bytes (0x8A 0x01),
        // then a one-byte length.
        Assert.Equal(new byte[] { 0x8A, 0x01 }, nested.Raw[..2]);
        byte[] inner = [0x0A, 0x00, .. Split(nested.Raw[3..]).Single(f => f.Number == 2).Raw];
        byte[] replaced = [0x8A, 0x01, (byte)inner.Length, .. inner];
        Refused(v, Join(fields, replace: (nested, replaced)), "field 17 (fields): field 1 (name) is written with its default value");
    }

    private static void Refused(Vector v, byte[] bytes, string reason)
    {
        Assert.False(TryDecode(v.Type, bytes, out var error), $"{v.Name}: accepted a variant that should fail with '{reason}'");
        Assert.StartsWith($"{v.Message} is not", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static bool TryDecode(Type type, byte[] bytes, out string? error)
    {
        var method = typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.TryDecode))!.MakeGenericMethod(type);
        var args = new object?[] { new ReadOnlyMemory<byte>(bytes), null, null };
        var ok = (bool)method.Invoke(null, args)!;
        error = (string?)args[2];
        return ok;
    }

    /// <summary>One top-level field as written: its number, wire type and raw bytes (tag included).</summary>
    private sealed record WireField(int Number, int Wire, byte[] Raw);

    private static List<WireField> Split(byte[] bytes)
    {
        var fields = new List<WireField>();
        var at = 0;
        while (at < bytes.Length)
        {
            var start = at;
            var tag = Varint(bytes, ref at);
            var wire = (int)(tag & 7);
            if (wire == 0) Varint(bytes, ref at);
            else if (wire == 2)
            {
                var length = (int)Varint(bytes, ref at);
                at += length;
            }
            else throw new InvalidOperationException($"wire type {wire} in a vector");
            fields.Add(new WireField((int)(tag >> 3), wire, bytes[start..at]));
        }
        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }

    private static byte[] Join(List<WireField> fields, WireField[]? order = null, (WireField After, byte[] Raw)? extra = null, (WireField Field, byte[] Raw)? replace = null)
    {
        var output = new List<byte>();
        if (order is not null)
        {
            foreach (var f in order) output.AddRange(f.Raw);
            foreach (var f in fields.Where(f => !order.Contains(f))) output.AddRange(f.Raw);
            return [.. output];
        }
        foreach (var f in fields)
        {
            output.AddRange(replace is { } r && r.Field == f ? r.Raw : f.Raw);
            if (extra is { } e && e.After == f) output.AddRange(e.Raw);
        }
        return [.. output];
    }
}
