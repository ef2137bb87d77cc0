using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

public class EntryValidatorTests
{
    private static Entry ValidEntry(string kind = EntryKinds.LicenseIssue)
    {
        var (_, body, recordId) = ValidBodies.Encoded().Single(e => e.Kind == kind);
        return new Entry
        {
            Kind = kind,
            RecordId = recordId,
            IssuerId = "430100-amr",
            TimeUnixMs = 1_717_171_717_000,
            SchemaId = EntryKinds.Find(kind)!.SchemaId,
            SchemaVersion = EntryKinds.SchemaVersion,
            Body = body,
            References = [new EntryReference { Origin = "huren.cz-t/430200", Index = 3, LeafHash = new byte[32], Relation = "previous" }],
            Origin = "huren.cz-t/430100",
        };
    }

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
    public void Well_formed_entry_of_every_kind_is_valid(string kind)
    {
        var result = EntryValidator.Validate(ValidEntry(kind));
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void The_latest_valid_time_still_holds_a_clock_skew_and_China_Standard_Time()
    {
        var entry = ValidEntry();
        entry.TimeUnixMs = EntryLimits.MaxTimeUnixMs;
        Assert.True(EntryValidator.Validate(entry).IsValid);
        var latest = DateTimeOffset.FromUnixTimeMilliseconds(EntryLimits.MaxTimeUnixMs);
        Assert.Equal(new DateTimeOffset(9999, 12, 30, 0, 0, 0, TimeSpan.Zero), latest);
        Assert.Equal(9999, (latest + TimeSpan.FromHours(1)).ToOffset(TimeSpan.FromHours(8)).Year);
    }

    [Theory]
    [InlineData("kind")]
    [InlineData("schemaId")]
    [InlineData("schemaVersion")]
    [InlineData("recordId")]
    [InlineData("recordId mismatch")]
    [InlineData("issuerId")]
    [InlineData("timeUnixMs")]
    [InlineData("timeUnixMs past 9999")]
    [InlineData("timeUnixMs long.MaxValue")]
    [InlineData("origin")]
    [InlineData("references[0].origin")]
    [InlineData("references[0].leafHash")]
    public void Entry_rule_is_enforced_with_a_message_naming_the_field(string rule)
    {
        var entry = ValidEntry();
        var field = rule;
        switch (rule)
        {
            case "kind": entry.Kind = "license.burn"; break;
            case "schemaId": entry.SchemaId = "huren.license.changed"; break;
            case "schemaVersion": entry.SchemaVersion = 2; break;
            case "recordId": entry.RecordId = ""; break;
            case "recordId mismatch": entry.RecordId = ValidBodies.LicenseId[..^1] + "0"; field = "recordId"; break;
            case "issuerId": entry.IssuerId = ""; break;
            case "timeUnixMs": entry.TimeUnixMs = 0; break;
            case "timeUnixMs past 9999": entry.TimeUnixMs = EntryLimits.MaxTimeUnixMs + 1; field = "timeUnixMs"; break;
            case "timeUnixMs long.MaxValue": entry.TimeUnixMs = long.MaxValue; field = "timeUnixMs"; break;
            case "origin": entry.Origin = ""; break;
            case "references[0].origin": entry.References[0].Origin = ""; break;
            case "references[0].leafHash": entry.References[0].LeafHash = new byte[31]; break;
        }
        var result = EntryValidator.Validate(entry);
        Assert.True(result.HasErrorFor(field), result.ToString());
        Assert.All(result.Errors, e => Assert.StartsWith(e.Field + ": ", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Body_errors_are_reported_under_body()
    {
        var entry = ValidEntry();
        var body = ValidBodies.LicenseIssued();
        body.JurisdictionCode = "12345";
        entry.Body = CanonicalCodec.Encode(body);
        var error = Assert.Single(EntryValidator.Validate(entry).Errors);
        Assert.Equal("body.jurisdictionCode", error.Field);
        Assert.StartsWith("body.jurisdictionCode: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_of_another_kind_is_rejected()
    {
        var entry = ValidEntry();
        entry.Body = CanonicalCodec.Encode(ValidBodies.DataShared());
        var result = EntryValidator.Validate(entry);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Field == "body" || e.Field.StartsWith("body.", StringComparison.Ordinal));
    }

    [Fact]
    public void Record_id_must_be_the_body_id_for_issuer_seal_and_share_entries()
    {
        foreach (var kind in new[] { EntryKinds.IssuerRegister, EntryKinds.SealUse, EntryKinds.Receipt })
        {
            var entry = ValidEntry(kind);
            entry.RecordId = "someone-else";
            var error = Assert.Single(EntryValidator.Validate(entry).Errors);
            Assert.Equal("recordId", error.Field);
            Assert.Contains("differs from the body's", error.Message, StringComparison.Ordinal);
        }
    }
}
