using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Who may register and revoke issuers, and who may write entries.</summary>
public class IssuerRulesTests
{
    [Fact]
    public void City_root_registers_issuers_that_are_listed_with_their_keys()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode, [BusinessLicenseType, FoodLicenseType], algorithm: SignatureAlgorithm.Sm2Sm3);
        var health = log.RegisterIssuer("430100-health", ChangshaHealthCode, [MedicalLicenseType], [], mayShare: false);

        Assert.True(log.Machine.TryGetIssuer("430100-amr", out var record));
        Assert.Equal(ChangshaAmrCode, record.AuthorityCode);
        Assert.Equal(amr.Index, record.RegisteredIndex);
        Assert.Equal(amr.Key.Id.Bytes.ToArray(), record.KeyId);
        Assert.True(record.MayIssue(FoodLicenseType));
        Assert.False(record.Revoked);
        Assert.True(log.Machine.TryGetIssuerByKey(health.Key.Id, out var byKey));
        Assert.Equal("430100-health", byKey.IssuerId);
        Assert.Equal(["430100-amr", "430100-health"], log.Machine.ListIssuers().Select(i => i.IssuerId));
        Assert.False(log.Machine.TryGetIssuer("430100-none", out _));
        Assert.Equal(2UL, log.Machine.AppliedSize);

        // Its SM2 key signs its entries.
        var issued = BusinessLicense(ChangshaAmrCode, "2024000001");
        log.Admit(amr, EntryKinds.LicenseIssue, issued.LicenseId, issued);
        Assert.Equal(amr.Id, log.License(issued.LicenseId).IssuerId);
    }

    [Fact]
    public void Issuer_register_signed_by_an_issuer_key_is_refused()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var body = Issuer("430100-rogue", ChangshaHealthCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [BusinessLicenseType], [], false);

        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-rogue", log.RootId, body), amr.Key, RejectionKind.PermissionDenied, "signer is not a city root key");
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-rogue", amr.Id, body), amr.Key, RejectionKind.PermissionDenied, "is written by the city root '430100-root'");
    }

    [Fact]
    public void Issuer_id_or_key_already_registered_is_refused()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var again = Issuer("430100-amr", ChangshaAmrCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [BusinessLicenseType], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-amr", log.RootId, again), log.RootKey, RejectionKind.AlreadyExists, "issuer 430100-amr is already registered");

        var sameKey = Issuer("430100-health", ChangshaHealthCode, amr.Key.PublicKey, [MedicalLicenseType], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, sameKey), log.RootKey, RejectionKind.AlreadyExists, "is already registered to issuer 430100-amr");

        var rootKey = Issuer("430100-health", ChangshaHealthCode, log.RootKey.PublicKey, [MedicalLicenseType], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-health", log.RootId, rootKey), log.RootKey, RejectionKind.AlreadyExists, "is a city root key");

        var rootId = Issuer(log.RootId, ChangshaHealthCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [MedicalLicenseType], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, log.RootId, log.RootId, rootId), log.RootKey, RejectionKind.AlreadyExists, "is the city root's");
    }

    [Fact]
    public void Issuer_with_a_type_outside_the_catalog_or_a_mismatched_key_is_invalid()
    {
        var log = new LedgerFixture();
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey;
        var unknownType = Issuer("430100-amr", ChangshaAmrCode, key, ["11100000HUREN0001P999"], [], false);
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-amr", log.RootId, unknownType), log.RootKey, RejectionKind.InvalidArgument, "licenseTypeCodes[0]");

        var wrongAlgorithm = Issuer("430100-amr", ChangshaAmrCode, key, [BusinessLicenseType], [], false);
        wrongAlgorithm.Algorithm = SignatureAlgorithm.Sm2Sm3;
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-amr", log.RootId, wrongAlgorithm), log.RootKey, RejectionKind.InvalidArgument, "body.algorithm");

        var notAKey = Issuer("430100-amr", ChangshaAmrCode, key, [BusinessLicenseType], [], false);
        notAKey.PublicKey = [0x30, 0x03, 0x02, 0x01, 0x01];
        log.Refuse(log.Entry(EntryKinds.IssuerRegister, "430100-amr", log.RootId, notAKey), log.RootKey, RejectionKind.InvalidArgument, "body.publicKey");
    }

    [Fact]
    public void Revoking_needs_an_existing_unrevoked_issuer()
    {
        var log = new LedgerFixture();
        log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var revoke = new IssuerRevoked { IssuerId = "430100-none", Reason = "撤并" };
        log.Refuse(log.Entry(EntryKinds.IssuerRevoke, "430100-none", log.RootId, revoke), log.RootKey, RejectionKind.NotFound, "issuer 430100-none is not registered");

        var revoked = log.RevokeIssuer("430100-amr");
        var again = new IssuerRevoked { IssuerId = "430100-amr", Reason = "撤并" };
        log.Refuse(log.Entry(EntryKinds.IssuerRevoke, "430100-amr", log.RootId, again), log.RootKey, RejectionKind.FailedPrecondition, $"issuer 430100-amr was already revoked at index {revoked.Index}");

        Assert.True(log.Machine.TryGetIssuer("430100-amr", out var record));
        Assert.True(record.Revoked);
        Assert.Equal(revoked.Index, record.RevokedIndex);
        Assert.Equal("机构改革撤并", record.RevokeReason);
    }

    [Fact]
    public void Entries_of_a_revoked_issuer_are_refused_though_its_key_still_verifies()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var issued = BusinessLicense(ChangshaAmrCode, "2024000001");
        log.Admit(amr, EntryKinds.LicenseIssue, issued.LicenseId, issued);
        var revoked = log.RevokeIssuer("430100-amr");

        var entry = log.Entry(EntryKinds.LicenseStatus, issued.LicenseId, amr.Id, Suspend(issued.LicenseId));
        var leaf = EntrySigner.SignToLeaf(entry, amr.Key);
        Assert.Equal(entry.RecordId, log.Machine.CheckStateless(leaf).Entry.RecordId);
        log.Refuse(leaf, RejectionKind.PermissionDenied, $"issuer 430100-amr was revoked at index {revoked.Index}");
        // What it issued before stays as it was.
        Assert.Equal(LicenseStatus.Valid, log.License(issued.LicenseId).Status);
    }

    [Fact]
    public void Signer_must_be_the_named_issuers_key()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var health = log.RegisterIssuer("430100-health", ChangshaHealthCode, [MedicalLicenseType]);
        var issued = BusinessLicense(ChangshaAmrCode, "2024000001");

        log.Refuse(log.Entry(EntryKinds.LicenseIssue, issued.LicenseId, amr.Id, issued), health.Key, RejectionKind.PermissionDenied, "signer is not issuer 430100-amr's key");
        log.Refuse(log.Entry(EntryKinds.LicenseIssue, issued.LicenseId, "430100-ghost", issued), amr.Key, RejectionKind.PermissionDenied, "issuer '430100-ghost' is unknown");
        log.Refuse(log.Entry(EntryKinds.LicenseIssue, issued.LicenseId, log.RootId, issued), log.RootKey, RejectionKind.PermissionDenied, "writes only issuer.register, issuer.revoke, issuer.succeed and (as a last resort) license.status, not license.issue");
    }
}
