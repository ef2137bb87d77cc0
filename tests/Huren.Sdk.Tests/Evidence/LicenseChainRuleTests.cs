using Huren.Node.Tests.Ledger;
using Huren.Schemas.Services;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The rules of a license's history across logs (LicenseChain) and of who may write its entries (LicenseActors) on
/// the bundles the other tests leave out: a license held elsewhere, a bundle about a license it does not hold, two
/// unjoined histories, an entry before the issue, a transfer ahead of its issue, a hop that skips an earlier transfer,
/// a log the license passes through twice, entries about other licenses, a <c>license.use</c> by another department,
/// a change by the city root, and successions that run in a circle. Three in-memory city logs built with the SDK's
/// signer, tree and cosigner; each bundle is verified end to end by <see cref="EvidenceVerifier"/>.
/// </summary>
public sealed class LicenseChainRuleTests
{
    private const string Cs = ChainLogs.Cs, Zz = ChainLogs.Zz, Xt = ChainLogs.Xt;

    private static readonly string Id = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    private static readonly string OtherId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;

    private static void AssertRefused(EvidenceResult result, string reason)
    {
        Assert.False(result.IsValid, "accepted");
        Assert.Equal(reason, result.Failure);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
    }

    [Fact]
    public void A_license_renamed_on_acceptance_is_held_elsewhere_under_its_old_id()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        var transfer = logs.Transfer(Cs, Id, "430200");
        var renamed = OtherId;
        logs.Accept(Zz, Id, Cs, transfer, renamed);
        // About the old id: the only stretch under that name ends in a transfer the bundle shows accepted.
        var result = logs.Verify(logs.Bundle(Zz, Id, logs.All()));
        AssertRefused(result, $"every stretch of '{Id}' in the bundle ends in a transfer the bundle shows accepted: the license is held elsewhere");
        // About the new id: it verifies.
        var held = logs.Verify(logs.Bundle(Zz, renamed, logs.All()));
        Assert.True(held.IsValid, held.Failure);
        Assert.Equal((renamed, Zz), (held.Subject, held.Origin));
    }

    [Fact]
    public void A_bundle_about_a_license_it_holds_no_stretch_of_names_the_missing_issue()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        AssertRefused(logs.Verify(logs.Bundle(Cs, OtherId, logs.All())), $"the bundle has no license.issue entry for '{OtherId}'");
    }

    [Fact]
    public void Two_issues_of_one_license_in_two_logs_are_two_separate_histories()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        logs.Issue(Zz, Id);
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())), $"the bundle holds 2 separate histories of '{Id}' ({Cs}#1, {Zz}#1)");
    }

    [Fact]
    public void Entries_about_other_licenses_are_left_out_of_the_history()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        logs.Issue(Cs, OtherId);
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, OtherId, "430100-amr", LedgerBodies.Change(OtherId, "2030-12-31"), ChainLogs.At.AddDays(1)), logs.Amr(Cs));
        var result = logs.Verify(logs.Bundle(Cs, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal([EntryKinds.LicenseIssue], result.History.Select(e => e.Kind));
    }

    [Fact]
    public void An_entry_before_the_issue_is_refused_as_preceding_the_issue()
    {
        var logs = new ChainLogs();
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-amr", LedgerBodies.Change(Id, "2030-12-31"), ChainLogs.At), logs.Amr(Cs));
        logs.Issue(Cs, Id);
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())), $"entry {Cs}#1 about '{Id}' precedes its issue at #2");
    }

    [Fact]
    public void A_transfer_logged_before_its_issue_is_refused_as_out_of_order()
    {
        var logs = new ChainLogs();
        var transfer = logs.Transfer(Cs, Id, "430200");
        logs.Issue(Cs, Id);
        logs.Accept(Zz, Id, Cs, transfer);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"the hops of '{Id}' in {Cs} are out of order: its transfer {Cs}#1 precedes its issue at #2");
    }

    [Fact]
    public void A_transfer_with_neither_issue_nor_accept_before_it_is_a_missing_hop_even_as_the_first_entry_of_the_bundle()
    {
        // Changsha's transfer is its log's first entry (the issuer registered after it), so it sorts first in the bundle.
        var logs = new ChainLogs(register: false);
        var transfer = logs.Transfer(Cs, Id, "430200");
        logs.Register(Cs);
        logs.Register(Zz);
        logs.Accept(Zz, Id, Cs, transfer);
        Assert.Equal(0UL, transfer);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"the bundle has neither the issue nor an accept of '{Id}' in {Cs} before its transfer {Cs}#0 (a hop is missing)");
    }

    [Fact]
    public void An_accept_of_a_later_transfer_than_the_first_after_the_issue_is_refused()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        var first = logs.Transfer(Cs, Id, "430200");
        var second = logs.Transfer(Cs, Id, "430200");
        logs.Accept(Zz, Id, Cs, second);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"entry {Cs}#{first} transfers '{Id}' before the transfer {Cs}#{second} that {Zz}#1 references");
    }

    [Fact]
    public void A_license_that_leaves_a_log_twice_is_joined_to_its_latest_stretch_there()
    {
        // Changsha → Zhuzhou → Changsha → Xiangtan: Xiangtan's accept names Changsha's second transfer, which ends the
        // stretch begun by Changsha's accept (#3), not the one begun by the issue (#1).
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        var toZz = logs.Transfer(Cs, Id, "430200");
        logs.Accept(Zz, Id, Cs, toZz);
        var back = logs.Transfer(Zz, Id, "430100");
        logs.Accept(Cs, Id, Zz, back);
        var toXt = logs.Transfer(Cs, Id, "430300");
        var accept = logs.Accept(Xt, Id, Cs, toXt);
        var result = logs.Verify(logs.Bundle(Xt, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Valid, result.Verdict);
        Assert.Equal([(Cs, 2UL, Zz, 1UL), (Zz, 2UL, Cs, 3UL), (Cs, 4UL, Xt, accept)],
            result.Hops.Select(h => (h.FromOrigin, h.TransferIndex, h.ToOrigin, h.AcceptIndex)));
    }

    // ---- LicenseActors

    [Fact]
    public void A_license_use_by_another_department_is_not_a_lifecycle_entry_and_needs_no_authority()
    {
        var logs = new ChainLogs();
        logs.Register(Cs, "430100-other");
        logs.Issue(Cs, Id);
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseUse, Cs, Id, "430100-other", LedgerBodies.Use(Id), ChainLogs.At.AddDays(1)), logs.Key("other", Cs));
        var result = logs.Verify(logs.Bundle(Cs, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("430100-amr", false), (result.ActedBy, result.ActedByCityRoot));
    }

    [Fact]
    public void A_change_under_the_city_roots_id_is_refused_even_when_an_issuer_of_that_id_is_registered()
    {
        var logs = new ChainLogs();
        logs.Issue(Cs, Id);
        // The root registers an issuer under its own id, then a license.change is signed with that issuer's key.
        logs.Register(Cs, "430100-root");
        var change = logs.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-root", LedgerBodies.Change(Id, "2030-12-31"), ChainLogs.At.AddDays(1)), logs.Key("430100-root", Cs));
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())),
            $"entry {Cs}#{change} ({EntryKinds.LicenseChange}) is written by the city root, which may only suspend, resume or revoke a license");
    }

    [Fact]
    public void Successions_in_a_circle_are_followed_64_steps_and_no_further()
    {
        // amr → approval → amr → …: after 64 steps (an even number) the answering issuer is amr again.
        var logs = new ChainLogs();
        logs.Register(Cs, "430100-approval");
        logs.Issue(Cs, Id);
        var there = logs.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-amr", "430100-root", LedgerBodies.Succession("430100-amr", "430100-approval"), ChainLogs.At), logs.Root(Cs));
        var back = logs.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-approval", "430100-root", LedgerBodies.Succession("430100-approval", "430100-amr"), ChainLogs.At), logs.Root(Cs));
        var entries = logs.All();
        var byAmr = logs.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-amr", LedgerBodies.Change(Id, "2030-12-31"), ChainLogs.At.AddDays(1)), logs.Amr(Cs));
        var result = logs.Verify(logs.Bundle(Cs, Id, [.. entries, (Cs, byAmr)]));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("430100-amr", 64), (result.ActedBy, result.ActedUnder.Count));
        Assert.Equal(there, result.ActedUnder[0].Index);
        Assert.Equal(back, result.ActedUnder[^1].Index);

        var other = new ChainLogs();
        other.Register(Cs, "430100-approval");
        other.Issue(Cs, Id);
        other.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-amr", "430100-root", LedgerBodies.Succession("430100-amr", "430100-approval"), ChainLogs.At), other.Root(Cs));
        other.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-approval", "430100-root", LedgerBodies.Succession("430100-approval", "430100-amr"), ChainLogs.At), other.Root(Cs));
        var byApproval = other.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-approval", LedgerBodies.Change(Id, "2030-12-31"), ChainLogs.At.AddDays(1)), other.Key("approval", Cs));
        AssertRefused(other.Verify(other.Bundle(Cs, Id, other.All())),
            $"entry {Cs}#{byApproval} ({EntryKinds.LicenseChange} of {Id}) is written by 430100-approval, who did not answer for the license then: 430100-amr did, under the succession at #{back}");
    }

    /// <summary>Three city logs (Changsha, Zhuzhou, Xiangtan), each city's market regulator registered at #0 unless told otherwise.</summary>
    private sealed class ChainLogs
    {
        public const string Cs = "huren.cz-t/430100", Zz = "huren.cz-t/430200", Xt = "huren.cz-t/430300";
        public static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
        private static readonly string[] Cities = ["430100", "430200", "430300"];
        private static readonly DateOnly Today = new(2025, 1, 1);

        private readonly Dictionary<string, (MemoryMerkleTree Tree, List<byte[]> Leaves)> _logs = new(StringComparer.Ordinal);
        private readonly TrustedNetwork _network;

        public ChainLogs(bool register = true)
        {
            var members = new List<NetworkMember>();
            foreach (var city in Cities)
            {
                var origin = Origin(city);
                members.Add(new NetworkMember
                {
                    CityCode = city, Origin = origin, Name = city,
                    LogKey = NoteVerifierKey.ForEd25519(origin, Key("log", origin).PublicKey).ToString(),
                    WitnessKey = Witness(origin).VerifierKey.ToString(),
                    RootKey = Root(origin).PublicKey.ToPem(),
                });
                _logs[origin] = (new MemoryMerkleTree(), []);
            }
            _network = TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = members }.ToJson());
            if (!register) return;
            foreach (var city in Cities) Register(Origin(city));
        }

        private static string Origin(string city) => $"huren.cz-t/{city}";

        private static string City(string origin) => origin[(origin.LastIndexOf('/') + 1)..];

        /// <summary>The key of <paramref name="role"/> in <paramref name="origin"/>; an issuer id "&lt;city&gt;-&lt;role&gt;" names the same key by its role.</summary>
        public SigningKey Key(string role, string origin) => TestKeys.Ed25519($"chain-rules-{(role.StartsWith(City(origin) + "-", StringComparison.Ordinal) ? role[(City(origin).Length + 1)..] : role)}-{origin}");

        public SigningKey Root(string origin) => Key("root-signer", origin);

        public SigningKey Amr(string origin) => Key("amr", origin);

        private NoteSignerKey Witness(string origin) => NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), Key("witness", origin));

        /// <summary>Registers issuer "&lt;city&gt;-&lt;role&gt;" (default: the market regulator) for business licenses, by the city root.</summary>
        public ulong Register(string origin, string? issuerId = null)
        {
            issuerId ??= $"{City(origin)}-amr";
            var body = LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, Key(issuerId, origin).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: City(origin));
            return Append(origin, Entry.Create(EntryKinds.IssuerRegister, origin, issuerId, $"{City(origin)}-root", body, At), Root(origin));
        }

        public ulong Append(string origin, Entry entry, SigningKey key)
        {
            var (tree, leaves) = _logs[origin];
            var leaf = EntrySigner.SignToLeaf(entry, key);
            leaves.Add(leaf);
            tree.Append(leaf);
            return (ulong)leaves.Count - 1;
        }

        public ulong Issue(string origin, string licenseId)
        {
            var license = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, licenseId == Id ? "2024000001" : "2024000002");
            Assert.Equal(licenseId, license.LicenseId);
            return Append(origin, Entry.Create(EntryKinds.LicenseIssue, origin, licenseId, $"{City(origin)}-amr", license, At), Amr(origin));
        }

        public ulong Transfer(string origin, string licenseId, string toCity)
            => Append(origin, Entry.Create(EntryKinds.LicenseTransfer, origin, licenseId, $"{City(origin)}-amr", LedgerBodies.Transfer(licenseId, toCity), At.AddDays(1)), Amr(origin));

        public ulong Accept(string origin, string licenseId, string fromOrigin, ulong transfer, string newId = "")
        {
            var reference = new EntryReference { Origin = fromOrigin, Index = transfer, LeafHash = MerkleHash.LeafHash(_logs[fromOrigin].Leaves[(int)transfer]).ToArray(), Relation = Relations.Transfer };
            return Append(origin, Entry.Create(EntryKinds.LicenseTransferAccept, origin, licenseId, $"{City(origin)}-amr", LedgerBodies.Accept(licenseId, fromOrigin, newId), At.AddDays(2), reference), Amr(origin));
        }

        /// <summary>Every entry of every log so far.</summary>
        public (string Origin, ulong Index)[] All()
            => [.. _logs.SelectMany(log => Enumerable.Range(0, log.Value.Leaves.Count).Select(i => (log.Key, (ulong)i)))];

        /// <summary>A bundle of the given entries, each log's checkpoint of its current size cosigned by the next city's witness.</summary>
        public EvidenceBundle Bundle(string verdictOrigin, string subject, (string Origin, ulong Index)[] entries)
        {
            var bundle = new EvidenceBundle
            {
                Network = "cz-t", Subject = subject, CreatedAt = At.AddDays(3),
                Verdict = new BundleVerdict { Status = "VALID", AsOf = new BundleCheckpointRef { Origin = verdictOrigin, Size = (ulong)_logs[verdictOrigin].Leaves.Count } },
            };
            foreach (var (origin, index) in entries)
            {
                var (tree, leaves) = _logs[origin];
                bundle.Entries.Add(ProvenBundleEntry.Of(origin, index, leaves[(int)index], tree, tree.Size));
                if (bundle.Checkpoints.ContainsKey(origin)) continue;
                var note = new CheckpointSigner(origin, Key("log", origin), null).Sign(tree.Size, tree.Root().AsSpan());
                var witness = Origin(Cities[(Array.IndexOf(Cities, City(origin)) + 1) % Cities.Length]);
                bundle.Checkpoints[origin] = CosignatureSigner.Cosign(note, Witness(witness), At.AddMinutes(30)).ToString();
            }
            return bundle;
        }

        public EvidenceResult Verify(EvidenceBundle bundle) => new EvidenceVerifier(_network).Verify(bundle, Today);
    }
}
