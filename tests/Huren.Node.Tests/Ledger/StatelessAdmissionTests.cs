using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>The checks on the submitter's thread: encoding, signature by a known key, this log's origin, schema, clock.</summary>
public class StatelessAdmissionTests
{
    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;
    private readonly LicenseIssued _license = BusinessLicense(ChangshaAmrCode, "2024000001");

    public StatelessAdmissionTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode);

    private Entry IssueEntry() => _log.Entry(EntryKinds.LicenseIssue, _license.LicenseId, _amr.Id, _license);

    [Fact]
    public void Forged_signature_is_refused()
    {
        var signed = EntrySigner.Sign(IssueEntry(), _amr.Key);
        signed.Signature[5] ^= 0x01;
        _log.Refuse(CanonicalCodec.Encode(signed), RejectionKind.PermissionDenied, "signature does not verify");

        // Bytes changed after signing: the signature no longer covers them.
        var tampered = IssueEntry();
        var resigned = EntrySigner.Sign(tampered, _amr.Key);
        tampered.RecordId = LicenseId(ChangshaAmrCode, "2024000002");
        resigned.EntryBytes = CanonicalCodec.Encode(tampered);
        _log.Refuse(CanonicalCodec.Encode(resigned), RejectionKind.PermissionDenied, "signature does not verify");
    }

    [Fact]
    public void Unknown_key_is_refused()
    {
        var stranger = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        _log.Refuse(IssueEntry(), stranger, RejectionKind.PermissionDenied, $"signer key {stranger.Id} is unknown");
    }

    [Fact]
    public void Entry_for_another_citys_log_is_refused()
    {
        var entry = IssueEntry();
        entry.Origin = LedgerFixture.Zhuzhou;
        _log.Refuse(entry, _amr.Key, RejectionKind.InvalidArgument, $"entry origin '{LedgerFixture.Zhuzhou}' is not this log");
    }

    [Fact]
    public void Invalid_body_is_refused_naming_the_field()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        body.HolderCode = "not-a-code";
        _log.Refuse(_log.Entry(EntryKinds.LicenseIssue, body.LicenseId, _amr.Id, body), _amr.Key, RejectionKind.InvalidArgument, "body.holderCode");
        _log.Refuse([0x0A, 0x05, 0x01], RejectionKind.InvalidArgument, "SignedEntry");
    }

    [Fact]
    public void Entry_from_the_future_is_refused()
    {
        var entry = IssueEntry();
        entry.TimeUnixMs = LedgerFixture.Now.AddHours(1).ToUnixTimeMilliseconds();
        _log.Refuse(entry, _amr.Key, RejectionKind.InvalidArgument, "timeUnixMs");
        // A time no date can hold is refused as such, not left to fail where the rules read it as a date.
        entry.TimeUnixMs = long.MaxValue;
        _log.Refuse(entry, _amr.Key, RejectionKind.InvalidArgument, "no later than");
        // Within the allowed skew it passes.
        entry.TimeUnixMs = LedgerFixture.Now.AddMinutes(5).ToUnixTimeMilliseconds();
        _log.Admit(entry, _amr.Key);
    }

    [Fact]
    public void A_use_dated_back_is_refused_as_a_new_submission_and_replayed_as_the_origin_admitted_it()
    {
        var issued = _log.Admit(IssueEntry(), _amr.Key);
        var use = _log.Entry(EntryKinds.LicenseUse, _license.LicenseId, _amr.Id, Use(_license.LicenseId), issued.Ref("license"));
        // Dated a day back, when the license may still have been valid: its verdict would be judged on that day.
        use.TimeUnixMs = LedgerFixture.Now.AddDays(-1).ToUnixTimeMilliseconds();
        var leaf = EntrySigner.SignToLeaf(use, _amr.Key);
        var ex = Assert.Throws<AdmissionException>(() => _log.Machine.CheckStateless(leaf));
        Assert.Equal(RejectionKind.InvalidArgument, ex.Kind);
        Assert.Contains("a license.use entry is recorded when it happens", ex.Message, StringComparison.Ordinal);
        // A mirror or a rebuild replays old uses through the other path, which does not ask.
        Assert.Equal(_license.LicenseId, _log.Machine.CheckStatelessSignerInBatch(leaf).Entry.RecordId);
        // Within the allowed skew it is a new use.
        use.TimeUnixMs = LedgerFixture.Now.AddMinutes(-5).ToUnixTimeMilliseconds();
        _log.Admit(use, _amr.Key);
    }

    /// <summary>
    /// Found by the flows review: a share dated 90 days back was admitted, and `audit flows --since` (which reads the
    /// entries' times) never showed it. A data-flow entry submitted now is dated now, like a use.
    /// </summary>
    [Fact]
    public void A_share_dated_back_is_refused_as_a_new_submission_and_replayed_as_the_origin_admitted_it()
    {
        var share = _log.Entry(EntryKinds.Share, "share-back", _amr.Id, Share("share-back", _amr.AuthorityCode, Uscc("11430200HUREN0101"), LedgerFixture.Zhuzhou));
        share.TimeUnixMs = LedgerFixture.Now.AddDays(-90).ToUnixTimeMilliseconds();
        var leaf = EntrySigner.SignToLeaf(share, _amr.Key);
        var ex = Assert.Throws<AdmissionException>(() => _log.Machine.CheckStateless(leaf));
        Assert.Equal(RejectionKind.InvalidArgument, ex.Kind);
        Assert.Contains("a share entry is recorded when it happens", ex.Message, StringComparison.Ordinal);
        Assert.Equal("share-back", _log.Machine.CheckStatelessSignerInBatch(leaf).Entry.RecordId);
        share.TimeUnixMs = LedgerFixture.Now.AddMinutes(-5).ToUnixTimeMilliseconds();
        _log.Admit(share, _amr.Key);
    }

    [Fact]
    public async Task Signature_checks_run_concurrently_with_commits()
    {
        var leaf = EntrySigner.SignToLeaf(_log.Entry(EntryKinds.LicenseUse, _license.LicenseId, _amr.Id, Use(_license.LicenseId)), _amr.Key);
        var checks = 0;
        var writer = Task.Run(() =>
        {
            // Start writing once the checks run, so that the two overlap.
            SpinWait.SpinUntil(() => Volatile.Read(ref checks) > 0);
            for (var serial = 100; serial < 120; serial++)
            {
                _log.RegisterIssuer($"430100-dept{serial}", Uscc($"11430100HUREN{serial:D4}"), mayShare: false);
            }
        });
        Parallel.For(0, Environment.ProcessorCount, _ =>
        {
            while (!writer.IsCompleted)
            {
                Assert.Equal(_license.LicenseId, _log.Machine.CheckStateless(leaf).Entry.RecordId);
                Interlocked.Increment(ref checks);
            }
        });
        await writer;
        Assert.True(checks > 0);
        Assert.Equal(21, _log.Machine.ListIssuers().Count);
    }

    [Fact]
    public void Derived_state_of_another_origin_is_not_opened()
    {
        var store = new LogStore(new MemoryStore(), LedgerFixture.Changsha);
        store.State.PutNow("meta/state"u8, CanonicalCodec.Encode(new StateMeta { Origin = LedgerFixture.Zhuzhou, NextIndex = 3 }));
        var root = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey;
        var ex = Assert.Throws<InvalidOperationException>(() => new LogStateMachine(LedgerFixture.Changsha, [root], "430100-root", store, null, TimeProvider.System));
        Assert.Contains(LedgerFixture.Zhuzhou, ex.Message, StringComparison.Ordinal);
    }
}
