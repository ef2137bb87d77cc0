using Huren.Schemas.Tests.TestVectors;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

public class CheckCharacterTests
{
    private const string Vectors = "check-characters.json";

    public static TheoryData<string> ValidUscc => TestVectorFile.Values(Vectors, "uscc", "valid");
    public static TheoryData<string> InvalidUscc => TestVectorFile.Values(Vectors, "uscc", "invalid");
    public static TheoryData<string> ValidCitizenIds => TestVectorFile.Values(Vectors, "citizenId", "valid");
    public static TheoryData<string> InvalidCitizenIds => TestVectorFile.Values(Vectors, "citizenId", "invalid");

    public static TheoryData<string, bool> PublishedLicenseIds
    {
        get
        {
            using var doc = TestVectorFile.Open(Vectors);
            var data = new TheoryData<string, bool>();
            foreach (var item in doc.RootElement.GetProperty("licenseIdentifiers").EnumerateArray())
            {
                data.Add(item.GetProperty("value").GetString()!, item.GetProperty("checkFollowsMod37_36").GetBoolean());
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ValidUscc))]
    public void Published_uscc_passes_the_GB_32100_check(string code)
    {
        Assert.Null(UnifiedSocialCreditCode.Validate(code, "code"));
        Assert.Equal(code[17], UnifiedSocialCreditCode.ComputeCheckChar(code.AsSpan(0, 17)));
    }

    [Theory]
    [MemberData(nameof(InvalidUscc))]
    public void Broken_uscc_is_rejected_naming_the_field(string code)
    {
        var error = UnifiedSocialCreditCode.Validate(code, "ownerCode");
        Assert.NotNull(error);
        Assert.Equal("ownerCode", error.Field);
        Assert.StartsWith("ownerCode: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uscc_check_character_is_computed_from_the_weights()
    {
        // Recompute with the GB 32100 definition (weight of position i = 3^i mod 31), apart from the implementation's table.
        const string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        const string first17 = "91350100M000100Y4";
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += alphabet.IndexOf(first17[i], StringComparison.Ordinal) * (int)(Math.Pow(3, i) % 31);
        Assert.Equal(alphabet[(31 - sum % 31) % 31], UnifiedSocialCreditCode.ComputeCheckChar(first17));
        Assert.Equal('3', UnifiedSocialCreditCode.ComputeCheckChar(first17));
    }

    [Theory]
    [MemberData(nameof(ValidCitizenIds))]
    public void GB_11643_examples_pass(string id)
    {
        Assert.Null(CitizenIdNumber.Validate(id, "idNumber", new DateOnly(2025, 1, 1)));
        Assert.Equal(id[17], CitizenIdNumber.ComputeCheckChar(id.AsSpan(0, 17)));
    }

    [Theory]
    [MemberData(nameof(InvalidCitizenIds))]
    public void Broken_citizen_id_is_rejected_naming_the_field(string id)
    {
        var error = CitizenIdNumber.Validate(id, "idNumber", new DateOnly(2025, 1, 1));
        Assert.NotNull(error);
        Assert.StartsWith("idNumber: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Citizen_id_born_after_today_is_not_plausible()
    {
        var error = CitizenIdNumber.Validate("11010519491231002X", "idNumber", new DateOnly(1949, 12, 30));
        Assert.NotNull(error);
        Assert.Contains("not plausible", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mod11_2_gives_X_for_ten()
    {
        Assert.Equal('X', Iso7064.ComputeMod11_2("11010519491231002"));
        Assert.Equal('\0', Iso7064.ComputeMod11_2("1101051949123100A"));
    }

    [Theory]
    [MemberData(nameof(PublishedLicenseIds))]
    public void Published_license_identifiers_and_the_MOD_37_36_rule(string id, bool followsRule)
    {
        // Both examples of the reference file (and one more public identifier) DO follow ISO/IEC 7064 MOD 37,36 over
        // type code + authority code + serial + version: computed here, in the implementation, and by an independent
        // script before the vectors were written. A vector marked false would document an issuer that deviates.
        var parts = id.Split('.');
        var body = string.Concat(parts[5], parts[6], parts[7], parts[8]);
        Assert.Equal(followsRule, Iso7064.ComputeMod37_36(body) == parts[9][0]);
        Assert.Equal(followsRule, Iso7064.IsValidMod37_36(body + parts[9]));
        Assert.Equal(followsRule, LicenseIdentifier.TryParse(id, out _));
    }

    [Fact]
    public void Mod37_36_verification_accepts_exactly_one_check_character()
    {
        const string body = "11100000000013338W03211220000013544541J2430599001";
        var accepted = Iso7064.Alphabet36.Where(c => Iso7064.IsValidMod37_36(body + c)).ToArray();
        Assert.Equal(['F'], accepted);
    }

    [Fact]
    public void Mod37_36_detects_every_single_substitution_and_adjacent_transposition()
    {
        const string body = "11100000000013338W01111430000006122244L20230000403001";
        var check = Iso7064.ComputeMod37_36(body);
        var text = body + check;
        for (var i = 0; i < text.Length; i++)
        {
            foreach (var c in Iso7064.Alphabet36)
            {
                if (c == text[i]) continue;
                var changed = text[..i] + c + text[(i + 1)..];
                Assert.False(Iso7064.IsValidMod37_36(changed), $"substitution at {i} to {c} not detected");
            }
            if (i + 1 < text.Length && text[i] != text[i + 1])
            {
                var swapped = text[..i] + text[i + 1] + text[i] + text[(i + 2)..];
                Assert.False(Iso7064.IsValidMod37_36(swapped), $"transposition at {i} not detected");
            }
        }
    }

    [Fact]
    public void Mod37_36_rejects_characters_outside_the_alphabet()
    {
        Assert.Equal('\0', Iso7064.ComputeMod37_36("11100000000013338w032"));
        Assert.False(Iso7064.IsValidMod37_36("ABC-"));
    }
}
