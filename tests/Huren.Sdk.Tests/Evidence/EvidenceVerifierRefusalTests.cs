using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The refusals and facts of <see cref="EvidenceVerifier"/> the rule table does not reach: a refused bundle reports no
/// license facts; input no check foresaw becomes a failure, not an exception; the hint for a bundle of a newer
/// configuration; the first key's reason under root-key rotation; the entries' order (origin, then index) deciding
/// which failure is reported; a checkpoint without a status-map line; an unreadable status proof; a map proving the
/// license absent; and <c>license.use</c> entries, which set no state and need no status proof.
/// </summary>
public sealed class EvidenceVerifierRefusalTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    [Fact]
    public void A_refused_bundle_reports_no_license_facts()
    {
        var log = ThreeCityLog.Shared;
        var bundle = log.Bundle(log.Note);
        bundle.Network = "xx";
        var result = new EvidenceVerifier(log.Network).Verify(bundle, Today);
        Assert.Equal("bundle is for network 'xx', the configuration is 'cz-t'", result.Failure);
        Assert.False(result.IsValid);
        Assert.Equal(("", "", "", "", ""), (result.Subject, result.ValidUntil, result.Origin, result.IssuerId, result.ActedBy));
        Assert.Equal((false, 0UL, false), (result.ActedByCityRoot, result.CheckpointSize, result.StatusProven));
        Assert.Null(result.License);
        Assert.Empty(result.ActedUnder);
    }

    [Fact]
    public void A_root_entry_dated_past_the_calendar_cannot_be_checked_and_says_why()
    {
        var logs = new EvidenceLogs(register: false);
        var registration = logs.RegistrationEntry(EvidenceLogs.Cs);
        registration.TimeUnixMs = long.MaxValue;
        logs.Append(EvidenceLogs.Cs, registration, logs.Root(EvidenceLogs.Cs));
        logs.Issue(EvidenceLogs.Cs);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => DateTimeOffset.FromUnixTimeMilliseconds(long.MaxValue));

        var result = logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1)));
        Assert.Equal($"the bundle cannot be checked: {outOfRange.Message}", result.Failure);
        Assert.False(result.IsValid);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
    }

    [Fact]
    public void A_bundle_of_a_newer_configuration_whose_checkpoint_fails_names_both_versions()
    {
        var log = ThreeCityLog.Shared;
        var broken = log.WithFlippedByte(log.LineIndex("ed25519"), 10);
        var failure = log.Network.ByOrigin(ThreeCityLog.Origin)!.VerifyCheckpoint(broken.ToString()).Failure;
        Assert.False(string.IsNullOrEmpty(failure));
        var verifier = new EvidenceVerifier(log.Network);
        Assert.Equal(1, log.Network.Version);

        var newer = log.Bundle(broken);
        newer.ConfigVersion = 2;
        Assert.Equal($"checkpoint of {ThreeCityLog.Origin}: {failure} (the bundle was made under network configuration version 2; "
            + "this verifier has version 1: follow the chain of versions first)", verifier.Verify(newer, Today).Failure);

        // The same version (and an unstated one) gets no hint: the keys are the verifier's own.
        foreach (var version in new[] { 1, 0 })
        {
            var same = log.Bundle(broken);
            same.ConfigVersion = version;
            Assert.Equal($"checkpoint of {ThreeCityLog.Origin}: {failure}", verifier.Verify(same, Today).Failure);
        }
    }

    [Fact]
    public void Under_root_key_rotation_a_bad_signature_is_reported_with_the_current_keys_reason()
    {
        // The current root key tried first says the signature does not verify; the retired one, tried next, only that
        // the key id is not its own: the first reason is the one that explains.
        var logs = new EvidenceLogs(register: false, retiredCsRoot: EvidenceLogs.Key("retired-root", EvidenceLogs.Cs));
        var signed = EntrySigner.Sign(logs.RegistrationEntry(EvidenceLogs.Cs), logs.Root(EvidenceLogs.Cs));
        signed.Signature[^1] ^= 0x01;
        logs.AppendLeaf(EvidenceLogs.Cs, CanonicalCodec.Encode(signed));
        logs.Issue(EvidenceLogs.Cs);
        var result = logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1)));
        Assert.Equal($"entry {EvidenceLogs.Cs}#0 (issuer.register): not signed by the city root: signature does not verify over the entry bytes", result.Failure);

        // The retired key still signs entries dated before its end.
        var rotated = new EvidenceLogs(register: false, retiredCsRoot: EvidenceLogs.Key("retired-root", EvidenceLogs.Cs));
        rotated.Append(EvidenceLogs.Cs, rotated.RegistrationEntry(EvidenceLogs.Cs), EvidenceLogs.Key("retired-root", EvidenceLogs.Cs));
        rotated.Issue(EvidenceLogs.Cs);
        var accepted = rotated.Verify(rotated.Bundle(EvidenceLogs.Cs, rotated.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1)));
        Assert.True(accepted.IsValid, accepted.Failure);
    }

    [Fact]
    public void Entries_are_checked_in_origin_then_index_order_whatever_the_bundles_order()
    {
        // No registration in the bundle: every issuer-signed entry fails, and the first in (origin, index) order is reported.
        var logs = new EvidenceLogs(register: false);
        logs.Register(EvidenceLogs.Cs);
        logs.Issue(EvidenceLogs.Cs);
        logs.Write(EvidenceLogs.Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Suspend(logs.LicenseId), 1);
        logs.Write(EvidenceLogs.Zz, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Suspend(logs.LicenseId), 1);
        var firstInChangsha = $"entry {EvidenceLogs.Cs}#1: the bundle has no registration of issuer '430100-amr' in {EvidenceLogs.Cs}";

        // Later index first, same log.
        Assert.Equal(firstInChangsha, logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 2), (EvidenceLogs.Cs, 1))).Failure);
        // Later origin first, with a lower index.
        Assert.Equal(firstInChangsha, logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Zz, 0), (EvidenceLogs.Cs, 1))).Failure);
        Assert.Equal($"entry {EvidenceLogs.Zz}#0: the bundle has no registration of issuer '430200-amr' in {EvidenceLogs.Zz}",
            logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1), (EvidenceLogs.Zz, 0))).Failure);
    }

    [Fact]
    public void A_bundle_listing_a_suspension_and_its_resumption_in_reverse_replays_them_in_log_order()
    {
        var logs = new EvidenceLogs(register: false);
        logs.Register(EvidenceLogs.Cs);
        logs.Issue(EvidenceLogs.Cs);
        logs.Write(EvidenceLogs.Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Suspend(logs.LicenseId), 1);
        logs.Write(EvidenceLogs.Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Resume(logs.LicenseId), 2);
        var result = logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 3), (EvidenceLogs.Cs, 2), (EvidenceLogs.Cs, 1), (EvidenceLogs.Cs, 0)));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Valid, result.Verdict);
        Assert.Equal([EntryKinds.LicenseIssue, EntryKinds.LicenseStatus, EntryKinds.LicenseStatus], result.History.Select(e => e.Kind));
        Assert.Equal(LedgerBodies.Resume(logs.LicenseId).Action, EntryKinds.Of<LicenseStatusChanged>().Decode(result.History[^1].Body).Action);
    }

    [Fact]
    public void A_checkpoint_without_a_status_map_line_proves_no_state_and_one_with_it_does()
    {
        var log = ThreeCityLog.Shared;
        var plain = new EvidenceVerifier(log.Network).Verify(log.Bundle(log.Note), Today);
        Assert.True(plain.IsValid, plain.Failure);
        Assert.False(plain.StatusProven);
        Assert.Equal(2UL, plain.CheckpointSize);

        var logs = new EvidenceLogs(register: false) { WithStatusMap = true };
        logs.Register(EvidenceLogs.Cs);
        logs.Issue(EvidenceLogs.Cs);
        var mapped = logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1)));
        Assert.True(mapped.IsValid, mapped.Failure);
        Assert.True(mapped.StatusProven);
    }

    [Fact]
    public void A_status_proof_that_is_not_an_object_is_refused_with_its_position_and_reason()
    {
        var log = ThreeCityLog.Shared;
        var bundle = log.Bundle(log.Note);
        bundle.StatusProofs.Add(System.Text.Json.JsonSerializer.SerializeToElement(42));
        var result = new EvidenceVerifier(log.Network).Verify(bundle, Today);
        Assert.Equal("statusProofs[0]: status proof is a JSON Number, not an object", result.Failure);
        Assert.False(result.IsValid);
    }

    [Fact]
    public void A_status_map_proving_the_license_absent_refuses_the_bundle_that_shows_it()
    {
        // The checkpoint's map holds the issuer's registration but not the license: its proof is one of absence.
        var logs = new EvidenceLogs(register: false) { WithStatusMap = true, Mapped = e => e.Kind != EntryKinds.LicenseIssue };
        logs.Register(EvidenceLogs.Cs);
        logs.Issue(EvidenceLogs.Cs);
        var result = logs.Verify(logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1)));
        Assert.Equal($"the status map of {EvidenceLogs.Cs} at size 2 proves that '{logs.LicenseId}' has no state there, but the bundle shows {EvidenceLogs.Cs}#1", result.Failure);
        Assert.False(result.IsValid);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
    }

    [Fact]
    public void A_license_use_sets_no_state_and_needs_no_status_proof()
    {
        var logs = new EvidenceLogs(register: false) { WithStatusMap = true };
        logs.Register(EvidenceLogs.Cs);
        logs.Issue(EvidenceLogs.Cs);
        var use = logs.Append(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseUse, EvidenceLogs.Cs, "use-0001", "430100-amr", LedgerBodies.Use(logs.LicenseId), EvidenceLogs.At.AddDays(1)),
            logs.Amr(EvidenceLogs.Cs));
        var bundle = logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1), (EvidenceLogs.Cs, use));
        Assert.Equal(2, bundle.StatusProofs.Count);
        var result = logs.Verify(bundle);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.StatusProven);
        Assert.Equal(3UL, result.CheckpointSize);
    }
}
