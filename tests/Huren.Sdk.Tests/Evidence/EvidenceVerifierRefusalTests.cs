using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;
using Huren.Sdk.Tests.Notes;

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
        var logs = new RefusalLogs();
        var registration = logs.RegistrationEntry(RefusalLogs.Cs);
        registration.TimeUnixMs = long.MaxValue;
        logs.Append(RefusalLogs.Cs, registration, logs.Root(RefusalLogs.Cs));
        logs.Issue(RefusalLogs.Cs);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => DateTimeOffset.FromUnixTimeMilliseconds(long.MaxValue));

        var result = logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1)));
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
        var logs = new RefusalLogs(retiredCsRoot: RefusalLogs.Key("retired-root", RefusalLogs.Cs));
        var signed = EntrySigner.Sign(logs.RegistrationEntry(RefusalLogs.Cs), logs.Root(RefusalLogs.Cs));
        signed.Signature[^1] ^= 0x01;
        logs.AppendLeaf(RefusalLogs.Cs, CanonicalCodec.Encode(signed));
        logs.Issue(RefusalLogs.Cs);
        var result = logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1)));
        Assert.Equal($"entry {RefusalLogs.Cs}#0 (issuer.register): not signed by the city root: signature does not verify over the entry bytes", result.Failure);

        // The retired key still signs entries dated before its end.
        var rotated = new RefusalLogs(retiredCsRoot: RefusalLogs.Key("retired-root", RefusalLogs.Cs));
        rotated.Append(RefusalLogs.Cs, rotated.RegistrationEntry(RefusalLogs.Cs), RefusalLogs.Key("retired-root", RefusalLogs.Cs));
        rotated.Issue(RefusalLogs.Cs);
        var accepted = rotated.Verify(rotated.Bundle(RefusalLogs.Cs, rotated.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1)));
        Assert.True(accepted.IsValid, accepted.Failure);
    }

    [Fact]
    public void Entries_are_checked_in_origin_then_index_order_whatever_the_bundles_order()
    {
        // No registration in the bundle: every issuer-signed entry fails, and the first in (origin, index) order is reported.
        var logs = new RefusalLogs();
        logs.Register(RefusalLogs.Cs);
        logs.Issue(RefusalLogs.Cs);
        logs.Append(RefusalLogs.Cs, logs.Status(RefusalLogs.Cs, LedgerBodies.Suspend(logs.LicenseId), 1), logs.Amr(RefusalLogs.Cs));
        logs.Append(RefusalLogs.Zz, logs.Status(RefusalLogs.Zz, LedgerBodies.Suspend(logs.LicenseId), 1), logs.Amr(RefusalLogs.Zz));
        var firstInChangsha = $"entry {RefusalLogs.Cs}#1: the bundle has no registration of issuer '430100-amr' in {RefusalLogs.Cs}";

        // Later index first, same log.
        Assert.Equal(firstInChangsha, logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 2), (RefusalLogs.Cs, 1))).Failure);
        // Later origin first, with a lower index.
        Assert.Equal(firstInChangsha, logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Zz, 0), (RefusalLogs.Cs, 1))).Failure);
        Assert.Equal($"entry {RefusalLogs.Zz}#0: the bundle has no registration of issuer '430200-amr' in {RefusalLogs.Zz}",
            logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1), (RefusalLogs.Zz, 0))).Failure);
    }

    [Fact]
    public void A_bundle_listing_a_suspension_and_its_resumption_in_reverse_replays_them_in_log_order()
    {
        var logs = new RefusalLogs();
        logs.Register(RefusalLogs.Cs);
        logs.Issue(RefusalLogs.Cs);
        logs.Append(RefusalLogs.Cs, logs.Status(RefusalLogs.Cs, LedgerBodies.Suspend(logs.LicenseId), 1), logs.Amr(RefusalLogs.Cs));
        logs.Append(RefusalLogs.Cs, logs.Status(RefusalLogs.Cs, LedgerBodies.Resume(logs.LicenseId), 2), logs.Amr(RefusalLogs.Cs));
        var result = logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 3), (RefusalLogs.Cs, 2), (RefusalLogs.Cs, 1), (RefusalLogs.Cs, 0)));
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

        var logs = new RefusalLogs { WithStatusMap = true };
        logs.Register(RefusalLogs.Cs);
        logs.Issue(RefusalLogs.Cs);
        var mapped = logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1)));
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
        var logs = new RefusalLogs { WithStatusMap = true, Mapped = e => e.Kind != EntryKinds.LicenseIssue };
        logs.Register(RefusalLogs.Cs);
        logs.Issue(RefusalLogs.Cs);
        var result = logs.Verify(logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1)));
        Assert.Equal($"the status map of {RefusalLogs.Cs} at size 2 proves that '{logs.LicenseId}' has no state there, but the bundle shows {RefusalLogs.Cs}#1", result.Failure);
        Assert.False(result.IsValid);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
    }

    [Fact]
    public void A_license_use_sets_no_state_and_needs_no_status_proof()
    {
        var logs = new RefusalLogs { WithStatusMap = true };
        logs.Register(RefusalLogs.Cs);
        logs.Issue(RefusalLogs.Cs);
        var use = logs.Append(RefusalLogs.Cs, Entry.Create(EntryKinds.LicenseUse, RefusalLogs.Cs, "use-0001", "430100-amr", LedgerBodies.Use(logs.LicenseId), RefusalLogs.At.AddDays(1)),
            logs.Amr(RefusalLogs.Cs));
        var bundle = logs.Bundle(RefusalLogs.Cs, logs.LicenseId, (RefusalLogs.Cs, 0), (RefusalLogs.Cs, 1), (RefusalLogs.Cs, use));
        Assert.Equal(2, bundle.StatusProofs.Count);
        var result = logs.Verify(bundle);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.StatusProven);
        Assert.Equal(3UL, result.CheckpointSize);
    }

    /// <summary>Three city logs of one network, built with the SDK's signer, tree, cosigner and status map; nothing registered until asked.</summary>
    private sealed class RefusalLogs
    {
        public const string Cs = "huren.cz-t/430100", Zz = "huren.cz-t/430200";
        public static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
        private static readonly string[] Cities = ["430100", "430200", "430300"];

        private readonly Dictionary<string, (MemoryMerkleTree Tree, List<byte[]> Leaves)> _logs = new(StringComparer.Ordinal);
        private readonly TrustedNetwork _network;

        /// <param name="retiredCsRoot">A retired root key of Changsha, ending in 2030, when given.</param>
        public RefusalLogs(SigningKey? retiredCsRoot = null)
        {
            var members = new List<NetworkMember>();
            foreach (var city in Cities)
            {
                var origin = $"huren.cz-t/{city}";
                var member = new NetworkMember
                {
                    CityCode = city, Origin = origin, Name = city,
                    LogKey = NoteVerifierKey.ForEd25519(origin, Key("log", origin).PublicKey).ToString(),
                    WitnessKey = Witness(origin).VerifierKey.ToString(),
                    RootKey = Root(origin).PublicKey.ToPem(),
                };
                if (origin == Cs && retiredCsRoot is not null)
                    member.RetiredKeys.Add(new RetiredKey { Kind = "root", Key = retiredCsRoot.PublicKey.ToPem(), NotAfter = "2030-01-01T00:00:00Z" });
                members.Add(member);
                _logs[origin] = (new MemoryMerkleTree(), []);
            }
            _network = TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = members }.ToJson());
            License = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001");
        }

        public LicenseIssued License { get; }

        public string LicenseId => License.LicenseId;

        /// <summary>Whether checkpoints carry a status-map line and bundles the map proofs of their records.</summary>
        public bool WithStatusMap { get; init; }

        /// <summary>Which state entries the map holds (all by default; fewer to make a map that leaves a record out).</summary>
        public Func<Entry, bool> Mapped { get; init; } = _ => true;

        public static SigningKey Key(string role, string origin) => TestKeys.Ed25519($"evidence-refusal-{role}-{origin}");

        public SigningKey Root(string origin) => Key("root", origin);

        public SigningKey Amr(string origin) => Key("amr", origin);

        private static NoteSignerKey Witness(string origin) => NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), Key("witness", origin));

        private static string City(string origin) => origin[(origin.LastIndexOf('/') + 1)..];

        public EvidenceResult Verify(EvidenceBundle bundle) => new EvidenceVerifier(_network).Verify(bundle, Today);

        /// <summary>The root's registration of the city's market regulator (unsigned).</summary>
        public Entry RegistrationEntry(string origin)
        {
            var city = City(origin);
            var body = LedgerBodies.Issuer($"{city}-amr", LedgerBodies.ChangshaAmrCode, Amr(origin).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: city);
            return Entry.Create(EntryKinds.IssuerRegister, origin, $"{city}-amr", $"{city}-root", body, At);
        }

        public ulong Register(string origin) => Append(origin, RegistrationEntry(origin), Root(origin));

        public ulong Issue(string origin) => Append(origin, Entry.Create(EntryKinds.LicenseIssue, origin, LicenseId, $"{City(origin)}-amr", License, At), Amr(origin));

        /// <summary>A status change of the license by the city's regulator, <paramref name="days"/> after issue (unsigned).</summary>
        public Entry Status(string origin, LicenseStatusChanged body, int days) => Entry.Create(EntryKinds.LicenseStatus, origin, LicenseId, $"{City(origin)}-amr", body, At.AddDays(days));

        public ulong Append(string origin, Entry entry, SigningKey key) => AppendLeaf(origin, EntrySigner.SignToLeaf(entry, key));

        public ulong AppendLeaf(string origin, byte[] leaf)
        {
            var (tree, leaves) = _logs[origin];
            leaves.Add(leaf);
            tree.Append(leaf);
            return (ulong)leaves.Count - 1;
        }

        /// <summary>A bundle of the given entries, in the given order, each log's checkpoint of its current size cosigned by the next city's witness.</summary>
        public EvidenceBundle Bundle(string verdictOrigin, string subject, params (string Origin, ulong Index)[] entries)
        {
            var bundle = new EvidenceBundle
            {
                Network = "cz-t", Subject = subject, CreatedAt = At.AddHours(1),
                Verdict = new BundleVerdict { Status = "VALID", AsOf = new BundleCheckpointRef { Origin = verdictOrigin, Size = (ulong)_logs[verdictOrigin].Leaves.Count } },
            };
            foreach (var (origin, index) in entries)
            {
                var (tree, leaves) = _logs[origin];
                bundle.Entries.Add(ProvenBundleEntry.Of(origin, index, leaves[(int)index], tree, tree.Size));
                if (bundle.Checkpoints.ContainsKey(origin)) continue;
                string[]? lines = WithStatusMap ? [StatusMapLine.Format(MapOf(leaves).Root)] : null;
                var note = new CheckpointSigner(origin, Key("log", origin), null).Sign(tree.Size, tree.Root().AsSpan(), lines);
                var witness = $"huren.cz-t/{Cities[(Array.IndexOf(Cities, City(origin)) + 1) % Cities.Length]}";
                bundle.Checkpoints[origin] = CosignatureSigner.Cosign(note, Witness(witness), At.AddMinutes(30)).ToString();
            }
            if (!WithStatusMap) return bundle;
            var records = new SortedSet<(string Origin, string RecordId)>();
            foreach (var e in bundle.Entries)
            {
                var entry = LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry;
                if (StatusMapRecords.SetsState(entry.Kind)) records.Add((e.Origin, entry.RecordId));
            }
            foreach (var (origin, recordId) in records)
            {
                var (map, root) = MapOf(_logs[origin].Leaves);
                var size = (ulong)_logs[origin].Leaves.Count;
                Assert.True(map.TryProve(size, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
                bundle.StatusProofs.Add(BundleStatusProof.Create(origin, size, recordId, root, value, proof).ToJsonElement());
            }
            return bundle;
        }

        /// <summary>The status map of a log's leaves as a node builds it (of the entries <see cref="Mapped"/> keeps).</summary>
        private (StatusMapTree Map, Hash256 Root) MapOf(List<byte[]> leaves)
        {
            var store = new MemoryStatusMapStore();
            var map = new StatusMapTree(store);
            var updates = new List<StatusMapUpdate>();
            foreach (var leaf in leaves)
            {
                var entry = LeafReader.Read(leaf).Entry;
                if (StatusMapRecords.SetsState(entry.Kind) && Mapped(entry)) updates.Add(StatusMapUpdate.ForRecord(entry.RecordId, MerkleHash.LeafHash(leaf)));
            }
            var writes = map.Prepare(0, (ulong)leaves.Count, updates.ToArray());
            store.Apply(writes);
            return (map, writes.Root.Hash);
        }
    }
}
