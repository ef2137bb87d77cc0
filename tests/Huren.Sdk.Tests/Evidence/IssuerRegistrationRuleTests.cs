using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The node's issuer-registration rules, checked again offline: a city root signs its own log, so a log the node would
/// not have written (a registration under the root's own id, a second registration of one id, a root key or another
/// issuer's key taken as an issuer's, a key of another algorithm than named) must not give a bundle a signer.
/// </summary>
public sealed class IssuerRegistrationRuleTests
{
    private const string Cs = EvidenceLogs.Cs;

    [Fact]
    public void Registrations_that_keep_the_rules_verify()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Register(Cs);
        logs.Register(Cs, "430100-other");
        logs.Issue(Cs);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1), (Cs, 2)));
        Assert.True(result.IsValid, result.Failure);
    }

    [Fact]
    public void An_entry_signed_before_its_issuer_was_registered_is_refused()
    {
        // The node admits an issuer's entries only once it is registered: a log that holds one earlier was not written by it.
        var logs = new EvidenceLogs(register: false);
        logs.Issue(Cs);
        logs.Register(Cs);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1)));
        Assert.Equal("entry huren.cz-t/430100#0 is signed by issuer '430100-amr', registered only at index 1", result.Failure);
    }

    [Fact]
    public void A_validity_date_the_verdict_rules_cannot_read_is_refused_not_taken_as_no_limit()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Register(Cs);
        var license = logs.License;
        license.ValidUntil = "2024-02-30";
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseIssue, Cs, logs.LicenseId, "430100-amr", license, EvidenceLogs.At), logs.Amr(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1)));
        Assert.Equal("the license's validUntil: '2024-02-30' is not a yyyy-MM-dd date", result.Failure);
    }

    [Fact]
    public void A_registration_under_the_city_roots_own_id_is_refused()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Register(Cs, "430100-root");
        logs.Register(Cs);
        logs.Issue(Cs);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1), (Cs, 2)));
        Assert.Equal("entry huren.cz-t/430100#0 registers issuer '430100-root' under the city root's own id", result.Failure);
    }

    [Fact]
    public void A_second_registration_of_an_issuer_cannot_give_it_another_key()
    {
        // The second registration names a key the attacker holds; an entry signed with it must not pass as the issuer's.
        var logs = new EvidenceLogs(register: false);
        logs.Register(Cs);
        var rogue = EvidenceLogs.Key("rogue", Cs);
        logs.Append(Cs, WithKey(logs, "430100-amr", rogue.PublicKey), logs.Root(Cs));
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseIssue, Cs, logs.LicenseId, "430100-amr", logs.License, EvidenceLogs.At), rogue);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1), (Cs, 2)));
        Assert.Equal("entry huren.cz-t/430100#1 registers issuer '430100-amr' a second time", result.Failure);
    }

    [Fact]
    public void A_registration_with_the_city_root_key_is_refused()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Append(Cs, WithKey(logs, "430100-amr", logs.Root(Cs).PublicKey), logs.Root(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0)));
        Assert.Equal("entry huren.cz-t/430100#0 registers issuer '430100-amr' with the city root's key", result.Failure);
    }

    [Fact]
    public void A_registration_with_a_retired_city_root_key_is_refused()
    {
        var retired = EvidenceLogs.Key("old-root", Cs);
        var logs = new EvidenceLogs(register: false, retiredCsRoot: retired);
        logs.Append(Cs, WithKey(logs, "430100-amr", retired.PublicKey), logs.Root(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0)));
        Assert.Equal("entry huren.cz-t/430100#0 registers issuer '430100-amr' with a retired city root key", result.Failure);
    }

    [Fact]
    public void A_key_registered_to_one_issuer_cannot_be_registered_to_another()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Register(Cs);
        logs.Append(Cs, WithKey(logs, "430100-other", logs.Amr(Cs).PublicKey), logs.Root(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, 1)));
        Assert.Equal("entry huren.cz-t/430100#1 registers issuer '430100-other' with the key already registered to issuer '430100-amr'", result.Failure);
    }

    [Fact]
    public void A_registration_naming_another_algorithm_than_its_keys_is_refused()
    {
        var logs = new EvidenceLogs(register: false);
        var body = logs.Registration(Cs, "430100-amr");
        body.Algorithm = SignatureAlgorithm.EcdsaP256Sha256;
        logs.Append(Cs, Entry.Create(EntryKinds.IssuerRegister, Cs, "430100-amr", "430100-root", body, EvidenceLogs.At), logs.Root(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0)));
        Assert.Equal("entry huren.cz-t/430100#0 registers issuer '430100-amr' naming algorithm EcdsaP256Sha256 for a key of algorithm Ed25519", result.Failure);
    }

    private static Entry WithKey(EvidenceLogs logs, string issuerId, PublicKey key)
        => Entry.Create(EntryKinds.IssuerRegister, Cs, issuerId, "430100-root", logs.Registration(Cs, issuerId, key.SubjectPublicKeyInfo), EvidenceLogs.At);
}
