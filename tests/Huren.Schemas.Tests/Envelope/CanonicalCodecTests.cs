using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Tests.Validation;

namespace Huren.Schemas.Tests.Envelope;

/// <summary>Every body round-trips through <see cref="CanonicalCodec"/>, and bytes that are not what protobuf-net writes are refused.</summary>
public class CanonicalCodecTests
{
    public static TheoryData<string> Kinds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var kind in EntryKinds.All.Select(k => k.Name)) data.Add(kind);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Body_round_trips_byte_for_byte(string kind)
    {
        var (_, bytes, _) = ValidBodies.Encoded().Single(e => e.Kind == kind);
        Assert.NotEmpty(bytes);
        var type = EntryKinds.Find(kind)!.BodyType;
        var decoded = DecodeAs(type, bytes, out var error);
        Assert.True(decoded is not null, error);
        Assert.IsType(type, decoded);
        Assert.Equal(bytes, EncodeAs(type, decoded));
    }

    [Fact]
    public void Decoded_license_keeps_every_value()
    {
        var original = ValidBodies.PersonalLicenseIssued();
        var decoded = CanonicalCodec.Decode<LicenseIssued>(CanonicalCodec.Encode(original));
        Assert.Equal(original.LicenseId, decoded.LicenseId);
        Assert.Equal(original.HolderIdCommitment, decoded.HolderIdCommitment);
        Assert.Equal(original.ValidUntil, decoded.ValidUntil);
        Assert.Equal(original.Fields.Select(f => (f.Name, f.Value)), decoded.Fields.Select(f => (f.Name, f.Value)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Appended_unknown_field_is_rejected(string kind)
    {
        var (_, bytes, _) = ValidBodies.Encoded().Single(e => e.Kind == kind);
        var withUnknown = bytes.Concat(new byte[] { 0xF8, 0x07, 0x01 }).ToArray(); // field 127, varint 1
        Assert.Null(DecodeAs(EntryKinds.Find(kind)!.BodyType, withUnknown, out var error));
        Assert.Contains("not canonical", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_singular_field_is_rejected()
    {
        var bytes = CanonicalCodec.Encode(ValidBodies.LicenseStatusChanged());
        // Field 4 (reason) again at the end: protobuf parsers keep the last value, so two readers could disagree.
        var repeated = bytes.Concat(Field(4, "另一个理由")).ToArray();
        Assert.False(CanonicalCodec.TryDecode<LicenseStatusChanged>(repeated, out _, out var error));
        Assert.Contains("not canonical", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_out_of_order_are_rejected()
    {
        var body = new SealRevoked { SealId = "43010000000001", Reason = "印章遗失" };
        var inOrder = CanonicalCodec.Encode(body);
        var swapped = Field(2, body.Reason).Concat(Field(1, body.SealId)).ToArray();
        Assert.Equal(inOrder, Field(1, body.SealId).Concat(Field(2, body.Reason)).ToArray());
        Assert.False(CanonicalCodec.TryDecode<SealRevoked>(swapped, out _, out var error));
        Assert.Contains("not canonical", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_default_value_is_rejected()
    {
        // An empty string written out (field 2, length 0) decodes to the same message, but is not what protobuf-net writes.
        var bytes = CanonicalCodec.Encode(new IssuerRevoked { IssuerId = "430100-amr" }).Concat(Field(2, "")).ToArray();
        Assert.False(CanonicalCodec.TryDecode<IssuerRevoked>(bytes, out _, out _));
    }

    [Fact]
    public void Entry_with_appended_field_is_rejected()
    {
        var entry = new Entry { Kind = EntryKinds.IssuerRevoke, RecordId = "430100-amr", IssuerId = "430100-root", TimeUnixMs = 1, SchemaId = "huren.issuer.revoked", SchemaVersion = 1, Origin = "huren.cz-t/430100" };
        var bytes = CanonicalCodec.Encode(entry);
        Assert.True(CanonicalCodec.TryDecode<Entry>(bytes, out _, out _));
        Assert.False(CanonicalCodec.TryDecode<Entry>(bytes.Concat(Field(10, "x")).ToArray(), out _, out _));
    }

    private static byte[] Field(int number, string value)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(value);
        Assert.True(number < 16 && utf8.Length < 128, "test helper writes one-byte tags and lengths only");
        return [(byte)(number << 3 | 2), (byte)utf8.Length, .. utf8];
    }

    private static object? DecodeAs(Type type, byte[] bytes, out string? error)
    {
        var method = typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.TryDecode))!.MakeGenericMethod(type);
        var args = new object?[] { new ReadOnlyMemory<byte>(bytes), null, null };
        var ok = (bool)method.Invoke(null, args)!;
        error = (string?)args[2];
        return ok ? args[1] : null;
    }

    private static byte[] EncodeAs(Type type, object message) =>
        (byte[])typeof(CanonicalCodec).GetMethod(nameof(CanonicalCodec.Encode))!.MakeGenericMethod(type).Invoke(null, [message])!;
}
