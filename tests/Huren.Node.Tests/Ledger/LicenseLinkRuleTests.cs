using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>
/// The ledger's link rule: a license's change, status change or transfer names the license's latest entry in the log
/// (relation <c>previous</c>), once; its issue names none. The evidence verifier relies on it to see an entry left out
/// of the middle of a history (LicenseHistoryLinkTests in the SDK tests).
/// </summary>
public sealed class LicenseLinkRuleTests
{
    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;
    private readonly string _id;
    private readonly Admitted _issue;

    public LicenseLinkRuleTests()
    {
        _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        var body = BusinessLicense(ChangshaAmrCode, "2024000001");
        _id = body.LicenseId;
        _issue = _log.Admit(_amr, EntryKinds.LicenseIssue, _id, body);
    }

    /// <summary>An entry of this log with exactly <paramref name="references"/>: the fixture adds no link.</summary>
    private Entry Unlinked<T>(string kind, T body, params EntryReference[] references) where T : class
        => Entry.Create(kind, _log.Origin, _id, _amr.Id, body, _log.Time.Now, references);

    [Fact]
    public void A_change_status_change_or_transfer_without_the_link_is_refused()
    {
        var expected = $"references: {{0}} must reference the latest entry of license {_id} in this log (entry {_issue.Index}) (relation 'previous')";
        _log.Refuse(Unlinked(EntryKinds.LicenseChange, Change(_id, "2030-12-31")), _amr.Key, RejectionKind.InvalidArgument, string.Format(expected, EntryKinds.LicenseChange));
        _log.Refuse(Unlinked(EntryKinds.LicenseStatus, Suspend(_id)), _amr.Key, RejectionKind.InvalidArgument, string.Format(expected, EntryKinds.LicenseStatus));
        _log.Refuse(Unlinked(EntryKinds.LicenseTransfer, Transfer(_id)), _amr.Key, RejectionKind.InvalidArgument, string.Format(expected, EntryKinds.LicenseTransfer));
        // The city root's last-resort suspension too.
        _log.Refuse(Entry.Create(EntryKinds.LicenseStatus, _log.Origin, _id, _log.RootId, Suspend(_id), _log.Time.Now), _log.RootKey, RejectionKind.InvalidArgument,
            string.Format(expected, EntryKinds.LicenseStatus));
        _log.Admit(_log.Entry(EntryKinds.LicenseStatus, _id, _log.RootId, Suspend(_id)), _log.RootKey);
    }

    [Fact]
    public void A_link_to_an_entry_that_is_no_longer_the_latest_is_refused()
    {
        var change = _log.Admit(_amr, EntryKinds.LicenseChange, _id, Change(_id, "2030-12-31"), _issue.Ref(Relations.Previous));
        var ex = _log.Refuse(Unlinked(EntryKinds.LicenseStatus, Suspend(_id), _issue.Ref(Relations.Previous)), _amr.Key, RejectionKind.FailedPrecondition,
            $"references[0]: the 'previous' reference names entry {_issue.Index}, but the latest entry of license {_id} in this log (entry {change.Index}) is the latest");
        Assert.Contains("read the license's history again", ex.Message, StringComparison.Ordinal);
        _log.Admit(_amr, EntryKinds.LicenseStatus, _id, Suspend(_id), change.Ref(Relations.Previous));
        Assert.Equal([_issue.Index, change.Index, change.Index + 1], _log.License(_id).EntryIndexes);
    }

    [Fact]
    public void A_link_to_another_entry_or_another_log_or_twice_is_refused()
    {
        var registration = _log.Admit(_log.Entry(EntryKinds.IssuerRegister, "430100-other", _log.RootId,
            Issuer("430100-other", Uscc("11430100HUREN0110"), Huren.Sdk.Crypto.SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [BusinessLicenseType], [], false)), _log.RootKey);
        _log.Refuse(Unlinked(EntryKinds.LicenseChange, Change(_id, "2030-12-31"), registration.Ref(Relations.Previous)), _amr.Key, RejectionKind.FailedPrecondition,
            $"names entry {registration.Index}, but the latest entry of license {_id}");

        var elsewhere = _issue.Ref(Relations.Previous);
        elsewhere.Origin = LedgerFixture.Zhuzhou;
        _log.Refuse(Unlinked(EntryKinds.LicenseChange, Change(_id, "2030-12-31"), elsewhere), _amr.Key, RejectionKind.InvalidArgument,
            $"the 'previous' reference must name the latest entry of license {_id} in this log (entry {_issue.Index}) in {_log.Origin}, not in {LedgerFixture.Zhuzhou}");

        _log.Refuse(Unlinked(EntryKinds.LicenseChange, Change(_id, "2030-12-31"), _issue.Ref(Relations.Previous), _issue.Ref(Relations.Previous)), _amr.Key, RejectionKind.InvalidArgument,
            "references[1]: a second 'previous' reference (the first is references[0])");
    }

    [Fact]
    public void An_issue_names_no_previous_entry()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000002");
        _log.Refuse(Entry.Create(EntryKinds.LicenseIssue, _log.Origin, body.LicenseId, _amr.Id, body, _log.Time.Now, _issue.Ref(Relations.Previous)), _amr.Key,
            RejectionKind.InvalidArgument, "references[0]: a license.issue starts the license's history in this log and names no 'previous' entry");
    }
}
