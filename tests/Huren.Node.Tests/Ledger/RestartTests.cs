using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>A new state machine over the same store restores the derived state from its rows alone.</summary>
public class RestartTests
{
    [Fact]
    public void Restart_restores_issuers_licenses_and_verdicts_without_the_log()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode, seals: ["2"]);
        var health = log.RegisterIssuer("430100-health", ChangshaHealthCode, [MedicalLicenseType]);
        log.RevokeIssuer(health.Id);
        var ids = new List<string>();
        for (var serial = 1; serial <= 5; serial++)
        {
            var body = BusinessLicense(ChangshaAmrCode, $"202400000{serial}", validUntil: serial == 5 ? "2024-05-31" : "");
            log.Admit(amr, EntryKinds.LicenseIssue, body.LicenseId, body);
            ids.Add(body.LicenseId);
        }
        log.Admit(amr, EntryKinds.LicenseStatus, ids[1], Suspend(ids[1]));
        log.Admit(amr, EntryKinds.LicenseStatus, ids[2], Revoke(ids[2]));
        log.Admit(amr, EntryKinds.LicenseTransfer, ids[3], Transfer(ids[3]));
        log.Admit(amr, EntryKinds.SealRegister, "43010000000001", Seal("43010000000001"));
        var today = new DateOnly(2024, 6, 1);
        var before = log.Machine;
        var verdictsBefore = ids.Select(id => LicenseVerdicts.Evaluate(log.License(id), today)).ToList();
        Assert.Equal(
            [LicenseVerdict.Valid, LicenseVerdict.Suspended, LicenseVerdict.Revoked, LicenseVerdict.Transferred, LicenseVerdict.Expired],
            verdictsBefore.Select(v => v.Verdict));

        var after = log.Reopen();
        Assert.NotSame(before, after);
        Assert.Equal(before.AppliedSize, after.AppliedSize);
        Assert.Equal(log.Size, after.AppliedSize);
        Assert.Equal(
            before.ListIssuers().Select(i => (i.IssuerId, i.Revoked, i.RevokedIndex, Convert.ToHexString(i.KeyId))),
            after.ListIssuers().Select(i => (i.IssuerId, i.Revoked, i.RevokedIndex, Convert.ToHexString(i.KeyId))));
        Assert.Equal(
            before.LicensesAfter().Select(l => CanonicalCodec.Encode(l.License)),
            after.LicensesAfter().Select(l => CanonicalCodec.Encode(l.License)));
        Assert.Equal(verdictsBefore, ids.Select(id => LicenseVerdicts.Evaluate(log.License(id), today)));
        Assert.True(after.TryGetSeal("43010000000001", out _));
        Assert.Equal(LicenseVerdict.Valid, after.EvaluateToday(log.License(ids[0])).Verdict);
        Assert.Equal(LicenseVerdict.Expired, after.EvaluateToday(log.License(ids[4])).Verdict);

        // The rules go on from the restored state.
        var duplicate = BusinessLicense(ChangshaAmrCode, "2024000001");
        log.Refuse(amr, EntryKinds.LicenseIssue, duplicate.LicenseId, duplicate, RejectionKind.AlreadyExists, "already exists");
        log.Refuse(amr, EntryKinds.LicenseStatus, ids[2], Resume(ids[2]), RejectionKind.FailedPrecondition, "was revoked");
        var byRevoked = BusinessLicense(ChangshaHealthCode, "2024000009");
        log.Refuse(health, EntryKinds.LicenseIssue, byRevoked.LicenseId, byRevoked, RejectionKind.PermissionDenied, "issuer 430100-health was revoked");
        log.Admit(amr, EntryKinds.LicenseStatus, ids[1], Resume(ids[1]));
        Assert.Equal(LicenseStatus.Valid, log.License(ids[1]).Status);

        // And a second restart sees the entry admitted after the first.
        Assert.Equal(LicenseStatus.Valid, log.Reopen().TryGetLicense(ids[1], out var resumed) ? resumed.Status : LicenseStatus.Unspecified);
    }

    [Fact]
    public void Restart_needs_only_the_state_rows_not_the_log()
    {
        var log = new LedgerFixture();
        var amr = log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        log.Admit(amr, EntryKinds.LicenseIssue, body.LicenseId, body);
        log.Admit(amr, EntryKinds.LicenseStatus, body.LicenseId, Suspend(body.LicenseId));

        // A store holding the state rows and no entry at all.
        var rowsOnly = new LogStore(new MemoryStore(), LedgerFixture.Changsha);
        using (var batch = rowsOnly.Store.CreateBatch())
        {
            foreach (var (key, value) in log.Store.State.Scan("")) rowsOnly.State.Put(batch, key, value);
            rowsOnly.Store.Write(batch);
        }
        Assert.Null(rowsOnly.GetLeaf(0));

        var restored = new LogStateMachine(LedgerFixture.Changsha, [log.RootKey.PublicKey], log.RootId, rowsOnly, null, log.Time);
        Assert.Equal(log.Size, restored.AppliedSize);
        Assert.True(restored.TryGetIssuer("430100-amr", out var issuer));
        Assert.Equal(amr.Key.Id.Bytes.ToArray(), issuer.KeyId);
        Assert.True(restored.TryGetLicense(body.LicenseId, out var license));
        Assert.Equal(LicenseStatus.Suspended, license.Status);
        Assert.True(restored.TryFindLicenseByDigest(body.DocumentDigest, out _));
        // The issuer's key is known again for signature checks.
        var use = log.Entry(EntryKinds.LicenseStatus, body.LicenseId, amr.Id, Resume(body.LicenseId));
        Assert.Equal(body.LicenseId, restored.CheckStateless(EntrySigner.SignToLeaf(use, amr.Key)).Entry.RecordId);
    }

    [Fact]
    public void Empty_store_opens_to_an_empty_state()
    {
        var log = new LedgerFixture();
        Assert.Equal(0UL, log.Machine.AppliedSize);
        Assert.Empty(log.Machine.ListIssuers());
        Assert.Empty(log.Machine.LicensesAfter());
        Assert.False(log.Machine.TryFindLicenseByDigest(DigestOf("nothing"), out _));
    }
}
