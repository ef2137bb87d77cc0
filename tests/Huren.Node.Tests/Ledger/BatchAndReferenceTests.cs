using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>References to entries of this log; staging within a batch; refusals and discards that leave no trace.</summary>
public class BatchAndReferenceTests
{
    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;

    public BatchAndReferenceTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode);

    private byte[] Leaf<T>(string kind, string recordId, T body, params EntryReference[] references) where T : class =>
        EntrySigner.SignToLeaf(_log.Entry(kind, recordId, _amr.Id, body, references), _amr.Key);

    private static EntryReference Previous(ulong index, byte[] leaf)
        => new() { Origin = LedgerFixture.Changsha, Index = index, LeafHash = LedgerFixture.LeafHash(leaf), Relation = Relations.Previous };

    [Fact]
    public void References_to_this_log_must_name_an_earlier_entry_with_its_leaf_hash()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        var issued = _log.Admit(_amr, EntryKinds.LicenseIssue, body.LicenseId, body);

        var later = issued.Ref("previous");
        later.Index = issued.Index + 1;
        _log.Refuse(_amr, EntryKinds.LicenseChange, body.LicenseId, Change(body.LicenseId, "2030-01-01"), RejectionKind.NotFound,
            $"references[0]: entry {issued.Index + 1} of {LedgerFixture.Changsha} does not exist", later);

        var wrongHash = issued.Ref("previous");
        wrongHash.LeafHash = DigestOf("other");
        _log.Refuse(_amr, EntryKinds.LicenseChange, body.LicenseId, Change(body.LicenseId, "2030-01-01"), RejectionKind.NotFound, "references[0]", wrongHash);

        _log.Admit(_amr, EntryKinds.LicenseChange, body.LicenseId, Change(body.LicenseId, "2030-01-01"), issued.Ref("previous"));
    }

    [Fact]
    public void Entries_of_one_batch_see_each_others_effects_and_references()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        var issueLeaf = Leaf(EntryKinds.LicenseIssue, body.LicenseId, body);
        var index = _log.Size;
        var duplicate = BusinessLicense(ChangshaAmrCode, "2024000001");
        duplicate.LicenseNumber = "另一个编号";
        var issueRef = new EntryReference { Origin = LedgerFixture.Changsha, Index = index, LeafHash = LedgerFixture.LeafHash(issueLeaf), Relation = "license" };
        var suspend = Leaf(EntryKinds.LicenseStatus, body.LicenseId, Suspend(body.LicenseId), Previous(index, issueLeaf));
        // A second suspension a second later (the same bytes again would be answered as a duplicate, not checked),
        // after the first: refused for the license's state, not for its link.
        _log.Time.Now = _log.Time.Now.AddSeconds(1);
        var suspendAgain = Leaf(EntryKinds.LicenseStatus, body.LicenseId, Suspend(body.LicenseId), Previous(index + 2, suspend));
        var results = _log.Batch(
            issueLeaf,
            Leaf(EntryKinds.LicenseIssue, body.LicenseId, duplicate),
            Leaf(EntryKinds.LicenseUse, body.LicenseId, Use(body.LicenseId), issueRef),
            suspend,
            suspendAgain);

        Assert.Equal(index, results[0]);
        Assert.Equal(RejectionKind.AlreadyExists, Assert.IsType<AdmissionException>(results[1]).Kind);
        Assert.Equal(index + 1, results[2]);
        Assert.Equal(index + 2, results[3]);
        Assert.Equal(RejectionKind.FailedPrecondition, Assert.IsType<AdmissionException>(results[4]).Kind);
        Assert.Contains("only a valid license can be suspended", Assert.IsType<AdmissionException>(results[4]).Message, StringComparison.Ordinal);
        var license = _log.License(body.LicenseId);
        Assert.Equal(LicenseStatus.Suspended, license.Status);
        Assert.Equal([index, index + 2], license.EntryIndexes);
        Assert.Equal(index + 3, _log.Machine.AppliedSize);
    }

    [Fact]
    public void Staged_rows_are_written_once_with_their_latest_value()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        var first = _log.Size;
        var issue = Leaf(EntryKinds.LicenseIssue, body.LicenseId, body);
        _log.Machine.CheckInOrder(_log.Machine.CheckStateless(issue), first);
        _log.Machine.CheckInOrder(_log.Machine.CheckStateless(Leaf(EntryKinds.LicenseStatus, body.LicenseId, Suspend(body.LicenseId), Previous(first, issue))), first + 1);
        var rows = _log.Machine.StagedRows();

        var keys = rows.Select(s => s.Key).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Contains($"license/{body.LicenseId}", keys);
        Assert.Contains($"digest/{Convert.ToHexStringLower(body.DocumentDigest)}", keys);
        var row = rows.Single(s => s.Key == $"license/{body.LicenseId}").Value;
        Assert.Equal(LicenseStatus.Suspended, ProtoBuf.Serializer.Deserialize<LicenseRecord>(row.AsSpan()).Status);
        // Not durable yet: the read side does not see it.
        Assert.False(_log.Machine.TryGetLicense(body.LicenseId, out _));
        _log.Machine.Discard();
    }

    [Fact]
    public void Discarded_batch_leaves_no_effect()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        var leaf = Leaf(EntryKinds.LicenseIssue, body.LicenseId, body);
        _log.Machine.CheckInOrder(_log.Machine.CheckStateless(leaf), _log.Size);
        _log.Machine.Discard();

        Assert.Empty(_log.Machine.StagedRows());
        Assert.False(_log.Machine.TryGetLicense(body.LicenseId, out _));
        // The same entry is admitted again at the same index.
        Assert.Equal(_log.Size, _log.Batch(leaf)[0]);
        Assert.Equal(LicenseStatus.Valid, _log.License(body.LicenseId).Status);
    }

    [Fact]
    public void Refused_entry_in_a_batch_stages_nothing_of_its_own()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        _log.Machine.CheckInOrder(_log.Machine.CheckStateless(Leaf(EntryKinds.LicenseIssue, body.LicenseId, body)), _log.Size);
        var before = _log.Machine.StagedRows();

        // Out of the issuer's seal permissions: refused after the signer and references were checked.
        var seal = Leaf(EntryKinds.SealRegister, "43010000000001", Seal("43010000000001", sealType: "9"));
        Assert.Throws<AdmissionException>(() => _log.Machine.CheckInOrder(_log.Machine.CheckStateless(seal), _log.Size + 1));
        var after = _log.Machine.StagedRows();
        Assert.Equal(before.Select(s => s.Key), after.Select(s => s.Key));
        _log.Machine.Discard();
    }

    [Fact]
    public void Index_behind_the_derived_state_is_a_programming_error()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        var decoded = _log.Machine.CheckStateless(Leaf(EntryKinds.LicenseIssue, body.LicenseId, body));
        Assert.Throws<InvalidOperationException>(() => _log.Machine.CheckInOrder(decoded, _log.Size - 1));
    }
}
