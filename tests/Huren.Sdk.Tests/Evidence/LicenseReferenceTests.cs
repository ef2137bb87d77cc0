using Huren.Sdk.Evidence;
using Huren.Sdk.Network;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The QR reference (docs/counter.md, "The QR reference"): its text form reads back exactly, every malformed text is
/// refused with its reason, and a reference is believed only when verified evidence holds the very entry it names.
/// </summary>
public sealed class LicenseReferenceTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Evidence", "Vectors");

    private static (EvidenceBundle Bundle, EvidenceResult Result) Verified(string file)
    {
        var verifier = new EvidenceVerifier(TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(Folder, "network.json"))));
        var result = verifier.Verify(File.ReadAllText(Path.Combine(Folder, file)), Today, out var bundle);
        Assert.True(result.IsValid, result.Failure);
        return (bundle!, result);
    }

    [Fact]
    public void The_reference_of_verified_evidence_names_its_issue_entry_and_reads_back_equal()
    {
        var (bundle, result) = Verified("valid-final.json");
        var reference = LicenseReference.From(result);
        Assert.Equal(result.Subject, reference.LicenseId);
        Assert.Equal(result.LicenseEntry!.Origin, reference.Origin);
        Assert.Equal(result.LicenseEntry.Index, reference.Index);

        var text = reference.ToString();
        Assert.StartsWith("huren:license?v=1&id=", text, StringComparison.Ordinal);
        Assert.Matches("&h=[A-Za-z0-9_-]{43}$", text);
        Assert.True(LicenseReference.TryParse(text, out var read, out var error), error);
        Assert.Equal(reference.LicenseId, read.LicenseId);
        Assert.Equal(reference.Origin, read.Origin);
        Assert.Equal(reference.Index, read.Index);
        Assert.Equal(reference.LeafHash, read.LeafHash);
        Assert.Equal(text, read.ToString());
        Assert.True(read.IsProvenBy(bundle, result, out var why), why);
    }

    [Fact]
    public void Parameters_may_come_in_any_order_and_with_surrounding_white_space()
    {
        var (_, result) = Verified("valid-final.json");
        var reference = LicenseReference.From(result);
        var text = reference.ToString();
        var parameters = text[LicenseReference.Prefix.Length..].Split('&').Reverse();
        Assert.True(LicenseReference.TryParse($"  {LicenseReference.Prefix}{string.Join('&', parameters)}\n", out var read, out var error), error);
        Assert.Equal(text, read.ToString());
    }

    [Theory]
    [InlineData("https://example.org/?id=1", "not a Huren license reference (it must start with 'huren:license?')")]
    [InlineData("", "not a Huren license reference (it must start with 'huren:license?')")]
    [InlineData("huren:license?v=2&id={id}&o={o}&i=3&h={h}", "reference version '2' is not 1")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3&h={h}&x=1", "the reference has an unknown parameter 'x'")]
    [InlineData("huren:license?v=1&id={id}&id={id}&o={o}&i=3&h={h}", "parameter 'id' appears twice")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3", "the reference lacks parameter 'h'")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i&h={h}", "parameter 'i' has no value")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=03&h={h}", "i: '03' is not an entry index (decimal digits, no leading zero)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=-3&h={h}", "i: '-3' is not an entry index (decimal digits, no leading zero)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=18446744073709551616&h={h}", "i: '18446744073709551616' is not an entry index (decimal digits, no leading zero)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3&h=AAAA", "h: the leaf hash must be 32 bytes in base64url without padding (43 characters)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3&h=*******************************************", "h: the leaf hash must be 32 bytes in base64url without padding (43 characters)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3&h={h}=", "h: the leaf hash must be 32 bytes in base64url without padding (43 characters)")]
    [InlineData("huren:license?v=1&id={id}&o={o}&i=3&h=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "h: the leaf hash must be 32 bytes in base64url without padding (43 characters)")]
            public void A_malformed_reference_is_refused_with_its_reason(string template, string reason)
    {
        var (_, result) = Verified("valid-final.json");
        var good = LicenseReference.From(result);
        var text = template.Replace("{id}", good.LicenseId, StringComparison.Ordinal).Replace("{o}", Uri.EscapeDataString(good.Origin), StringComparison.Ordinal)
            .Replace("{h}", good.ToString()[(good.ToString().IndexOf("&h=", StringComparison.Ordinal) + 3)..], StringComparison.Ordinal);
        Assert.False(LicenseReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.Equal(reason, error);
    }

    [Fact]
    public void An_id_or_origin_a_reference_cannot_carry_is_refused_with_the_validators_reason()
    {
        var (_, result) = Verified("valid-final.json");
        var good = LicenseReference.From(result);
        var h = good.ToString()[(good.ToString().IndexOf("&h=", StringComparison.Ordinal) + 3)..];
        Assert.False(LicenseReference.TryParse($"huren:license?v=1&id=not-an-id&o={Uri.EscapeDataString(good.Origin)}&i=3&h={h}", out _, out var error));
        Assert.Equal(Huren.Schemas.Validation.LicenseIdentifier.Validate("not-an-id", "id")!.Message, error);
        Assert.False(LicenseReference.TryParse($"huren:license?v=1&id={good.LicenseId}&o=Not A Log&i=3&h={h}", out _, out error));
        Assert.Equal(Huren.Schemas.Validation.LogOrigin.Validate("Not A Log", "o")!.Message, error);
        Assert.False(LicenseReference.TryParse(null, out _, out error));
        Assert.Equal("not a Huren license reference (it must start with 'huren:license?')", error);
    }

    [Fact]
    public void A_reference_is_built_only_from_what_it_can_carry()
    {
        var (_, result) = Verified("valid-final.json");
        var good = LicenseReference.From(result);
        Assert.Equal("licenseId", Assert.Throws<ArgumentException>(() => new LicenseReference("not-an-id", good.Origin, 1, good.LeafHash)).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => new LicenseReference(good.LicenseId, "Not A Log", 1, good.LeafHash)).ParamName);
        var shortHash = Assert.Throws<ArgumentException>(() => new LicenseReference(good.LicenseId, good.Origin, 1, new byte[31]));
        Assert.Equal(("leafHash", "a leaf hash is 32 bytes, got 31 (Parameter 'leafHash')"), (shortHash.ParamName, shortHash.Message));
        Assert.Equal("leafHash", Assert.Throws<ArgumentNullException>(() => new LicenseReference(good.LicenseId, good.Origin, 1, null!)).ParamName);
        Assert.Equal("evidence", Assert.Throws<ArgumentNullException>(() => LicenseReference.From(null!)).ParamName);
        var noEntry = Assert.Throws<ArgumentException>(() => LicenseReference.From(result with { LicenseEntry = null }));
        Assert.Equal(("evidence", "only verified evidence with a license entry can be referenced (Parameter 'evidence')"), (noEntry.ParamName, noEntry.Message));
    }

    [Fact]
    public void Index_zero_and_an_escaped_origin_read_back()
    {
        var (_, result) = Verified("valid-final.json");
        var good = LicenseReference.From(result);
        Assert.Contains($"&o={Uri.EscapeDataString(good.Origin)}&", good.ToString(), StringComparison.Ordinal);
        Assert.Contains("%2F", good.ToString(), StringComparison.Ordinal);
        var zero = new LicenseReference(good.LicenseId, good.Origin, 0, good.LeafHash);
        Assert.Contains("&i=0&", zero.ToString(), StringComparison.Ordinal);
        Assert.True(LicenseReference.TryParse(zero.ToString(), out var read, out var error), error);
        Assert.Equal((0ul, good.Origin), (read.Index, read.Origin));
    }

    [Fact]
    public void A_reference_naming_another_leaf_hash_index_or_license_is_not_proven_by_the_evidence()
    {
        var (bundle, result) = Verified("valid-final.json");
        var good = LicenseReference.From(result);

        var otherHash = good.LeafHash.ToArray();
        otherHash[31] ^= 1;
        Assert.False(new LicenseReference(good.LicenseId, good.Origin, good.Index, otherHash).IsProvenBy(bundle, result, out var why));
        Assert.Contains("another leaf hash", why, StringComparison.Ordinal);

        Assert.False(new LicenseReference(good.LicenseId, good.Origin, good.Index + 1000, good.LeafHash).IsProvenBy(bundle, result, out why));
        Assert.Contains("does not hold the entry", why, StringComparison.Ordinal);

        // The issuer registration is in the bundle too, but it is not the license's entry.
        var registration = bundle.Entries.First(e => e.Origin == good.Origin && e.Index != good.Index);
        var registrationHash = Huren.Sdk.Merkle.MerkleHash.LeafHash(Convert.FromBase64String(registration.Leaf)).ToArray();
        Assert.False(new LicenseReference(good.LicenseId, registration.Origin, registration.Index, registrationHash).IsProvenBy(bundle, result, out why));
        Assert.Contains("not the issue or acceptance", why, StringComparison.Ordinal);

        // The genuine reference of one license is not proof for another license's evidence.
        var (revokedBundle, revoked) = Verified("revoked-final.json");
        if (revoked.Subject != good.LicenseId)
        {
            Assert.False(good.IsProvenBy(revokedBundle, revoked, out why));
            Assert.Contains("the evidence is about", why, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evidence_that_did_not_verify_proves_no_reference()
    {
        var (bundle, result) = Verified("valid-final.json");
        var reference = LicenseReference.From(result);
        var verifier = new EvidenceVerifier(TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(Folder, "network.json"))));
        var failed = verifier.Verify(File.ReadAllText(Path.Combine(Folder, "leaf-byte-flipped.json")), Today, out _);
        Assert.False(failed.IsValid);
        Assert.False(reference.IsProvenBy(bundle, failed, out var why));
        Assert.Equal("the evidence does not verify", why);
        Assert.Throws<ArgumentException>(() => LicenseReference.From(failed));
    }
}
