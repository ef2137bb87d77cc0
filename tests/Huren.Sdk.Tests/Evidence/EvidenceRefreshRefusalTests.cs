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
/// <see cref="EvidenceRefresh.Check"/> against refresh answers whose status map points at an entry that is not a state
/// entry of the bundle's subject (a node whose map is forged), and against verified bundles whose entries are listed
/// out of log order, span two logs or hold other records' state entries: which of the bundle's entries is its latest
/// state decides whether the answer counts as unchanged.
/// </summary>
public sealed class EvidenceRefreshRefusalTests
{
    private const string Cs = "huren.cz-t/430100", Zz = "huren.cz-t/430200";
    private static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2025, 1, 1);
    private static readonly string[] Cities = ["430100", "430200", "430300"];
    private static readonly string LicenseId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    private static SigningKey Key(string role, string origin) => TestKeys.Ed25519($"refresh-refusal-{role}-{origin}");

    private static string City(string origin) => origin[(origin.LastIndexOf('/') + 1)..];

    private static NoteSignerKey Witness(string city) => NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor($"huren.cz-t/{city}"), Key("witness", $"huren.cz-t/{city}"));

    /// <summary>Three cities' logs, each with its issuer <c>&lt;city&gt;-amr</c> registered at index 0; checkpoints carry a status-map line.</summary>
    private sealed class RefreshLogs
    {
        private readonly Dictionary<string, (MemoryMerkleTree Tree, List<byte[]> Leaves)> _logs = new(StringComparer.Ordinal);

        /// <summary>Map values a forging node sets after the honest ones, by (origin, record id).</summary>
        private readonly Dictionary<(string, string), Hash256> _forged = [];

        public RefreshLogs()
        {
            var members = new List<NetworkMember>();
            foreach (var city in Cities)
            {
                var origin = $"huren.cz-t/{city}";
                members.Add(new NetworkMember
                {
                    CityCode = city, Origin = origin, Name = city,
                    LogKey = NoteVerifierKey.ForEd25519(origin, Key("log", origin).PublicKey).ToString(),
                    WitnessKey = Witness(city).VerifierKey.ToString(),
                    RootKey = Key("root", origin).PublicKey.ToPem(),
                });
                _logs[origin] = (new MemoryMerkleTree(), []);
            }
            Network = TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = members }.ToJson());
            foreach (var city in Cities)
            {
                var origin = $"huren.cz-t/{city}";
                Append(origin, Entry.Create(EntryKinds.IssuerRegister, origin, $"{city}-amr", $"{city}-root", Registration($"{city}-amr"), At), Key("root", origin));
            }
        }

        public TrustedNetwork Network { get; }

        public static IssuerRegistered Registration(string issuerId)
            => LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, Key(issuerId, $"huren.cz-t/{issuerId[..6]}").PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: issuerId[..6]);

        public ulong Append(string origin, Entry entry, SigningKey key) => AppendLeaf(origin, EntrySigner.SignToLeaf(entry, key));

        public ulong AppendLeaf(string origin, byte[] leaf)
        {
            var (tree, leaves) = _logs[origin];
            leaves.Add(leaf);
            tree.Append(leaf);
            return (ulong)leaves.Count - 1;
        }

        /// <summary>An entry of <paramref name="kind"/> about <paramref name="recordId"/> signed by the log's <c>&lt;city&gt;-amr</c>.</summary>
        public ulong Write<TBody>(string origin, string kind, string recordId, TBody body, int day = 1, params EntryReference[] references) where TBody : class
            => Append(origin, Entry.Create(kind, origin, recordId, $"{City(origin)}-amr", body, At.AddDays(day), references), Key($"{City(origin)}-amr", origin));

        /// <summary>Changsha's business license of serial <paramref name="serial"/>, issued by 430100-amr.</summary>
        public ulong Issue(string serial = "2024000001")
        {
            var license = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
            return Write(Cs, EntryKinds.LicenseIssue, license.LicenseId, license, 0);
        }

        public byte[] Leaf(string origin, ulong index) => _logs[origin].Leaves[(int)index];

        /// <summary>From now on the map of <paramref name="origin"/> says <paramref name="recordId"/>'s latest state is the leaf at <paramref name="index"/>.</summary>
        public void ForgeMap(string origin, string recordId, ulong index) => _forged[(origin, recordId)] = MerkleHash.LeafHash(Leaf(origin, index));

        private (StatusMapTree Tree, Hash256 Root, ulong Size) StatusMapOf(string origin)
        {
            var leaves = _logs[origin].Leaves;
            var values = new Dictionary<string, Hash256>(StringComparer.Ordinal);
            foreach (var leaf in leaves)
            {
                if (!LeafReader.TryRead(leaf, out var read, out _)) continue;
                if (StatusMapRecords.SetsState(read!.Entry.Kind)) values[read.Entry.RecordId] = MerkleHash.LeafHash(leaf);
            }
            foreach (var ((forgedOrigin, recordId), hash) in _forged)
                if (forgedOrigin == origin) values[recordId] = hash;
            var store = new MemoryStatusMapStore();
            var tree = new StatusMapTree(store);
            var writes = tree.Prepare(0, (ulong)leaves.Count, [.. values.Select(v => StatusMapUpdate.ForRecord(v.Key, v.Value))]);
            store.Apply(writes);
            return (tree, writes.Root.Hash, (ulong)leaves.Count);
        }

        private string Checkpoint(string origin, DateTimeOffset cosignedAt)
        {
            var (tree, _) = _logs[origin];
            var (_, root, _) = StatusMapOf(origin);
            var note = new CheckpointSigner(origin, Key("log", origin), null).Sign(tree.Size, tree.Root().AsSpan(), [StatusMapLine.Format(root)]);
            var witness = Cities[(Array.IndexOf(Cities, City(origin)) + 1) % Cities.Length];
            return CosignatureSigner.Cosign(note, Witness(witness), cosignedAt).ToString();
        }

        private System.Text.Json.JsonElement StatusProof(string origin, string recordId)
        {
            var (map, root, size) = StatusMapOf(origin);
            Assert.True(map.TryProve(size, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
            return BundleStatusProof.Create(origin, size, recordId, root, value, proof).ToJsonElement();
        }

        /// <summary>A bundle of the given entries in the order given, with each log's checkpoint and the status proof of every record they set a state of.</summary>
        public EvidenceBundle Bundle(string verdictOrigin, string subject, params (string Origin, ulong Index)[] entries)
        {
            var bundle = new EvidenceBundle
            {
                Network = "cz-t", Subject = subject, CreatedAt = At.AddHours(1),
                Verdict = new BundleVerdict { Status = "VALID", AsOf = new BundleCheckpointRef { Origin = verdictOrigin, Size = (ulong)_logs[verdictOrigin].Leaves.Count } },
            };
            var records = new SortedSet<(string, string)>();
            foreach (var (origin, index) in entries)
            {
                var (tree, leaves) = _logs[origin];
                bundle.Entries.Add(ProvenBundleEntry.Of(origin, index, leaves[(int)index], tree, tree.Size));
                bundle.Checkpoints.TryAdd(origin, Checkpoint(origin, At.AddMinutes(30)));
                var entry = LeafReader.Read(leaves[(int)index]).Entry;
                if (StatusMapRecords.SetsState(entry.Kind)) records.Add((origin, entry.RecordId));
            }
            foreach (var (origin, recordId) in records) bundle.StatusProofs.Add(StatusProof(origin, recordId));
            return bundle;
        }

        /// <summary>A node's refresh answer: the log's checkpoint now, the record's map proof, and the entry at <paramref name="index"/> with its inclusion proof.</summary>
        public RefreshResponse Refresh(string origin, string recordId, ulong index)
        {
            var (tree, leaves) = _logs[origin];
            return new RefreshResponse
            {
                Checkpoint = Checkpoint(origin, At.AddHours(2)),
                StatusProof = StatusProof(origin, recordId).GetRawText(),
                Index = index,
                Leaf = leaves[(int)index],
                InclusionProof = [.. MerkleProofBuilder.InclusionProof(index, tree.Size, tree.SubtreeLookup).Select(h => h.ToArray())],
            };
        }

        public EvidenceResult Verify(EvidenceBundle bundle)
        {
            var verified = new EvidenceVerifier(Network).Verify(bundle, Today);
            Assert.True(verified.IsValid, verified.Failure);
            return verified;
        }
    }

    /// <summary>Changsha #0 the registration, #1 the license; a bundle of both, verified; then <paramref name="forge"/> appends the entry the map will name.</summary>
    private static RefreshResult ForgedLatest(Func<RefreshLogs, ulong> forge, out ulong forgedIndex)
    {
        var logs = new RefreshLogs();
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, logs.Issue()));
        var verified = logs.Verify(bundle);
        forgedIndex = forge(logs);
        logs.ForgeMap(Cs, LicenseId, forgedIndex);
        return EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(Cs, LicenseId, forgedIndex));
    }

    private static void AssertRefused(RefreshResult result, string reason)
    {
        Assert.Equal((false, reason), (result.IsValid, result.Failure));
        Assert.Equal((false, LicenseVerdict.Unspecified, (ulong?)null), (result.Changed, result.Verdict, result.EntryIndex));
    }

    [Fact]
    public void A_latest_state_the_map_names_that_is_not_an_entry_at_all_is_refused()
    {
        byte[] garbage = [0x0a, 0x03, 0x01, 0x02];
        Assert.False(LeafReader.TryRead(garbage, out _, out var error));
        var result = ForgedLatest(logs => logs.AppendLeaf(Cs, garbage), out var index);
        AssertRefused(result, $"entry {Cs}#{index}: {error}");
    }

    public static TheoryData<string> NotStateEntriesOfTheSubject => new() { "another-license", "another-origin", "a-use-of-the-license" };

    /// <summary>Each condition on its own: another record's state entry, an entry naming another log, an entry of the license that sets no state.</summary>
    [Theory]
    [MemberData(nameof(NotStateEntriesOfTheSubject))]
    public void A_latest_state_the_map_names_that_is_not_a_state_entry_of_the_subject_in_its_log_is_refused(string forged)
    {
        var other = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;
        var (kind, recordId) = forged switch
        {
            "another-license" => (EntryKinds.LicenseIssue, other),
            "another-origin" => (EntryKinds.LicenseStatus, LicenseId),
            _ => (EntryKinds.LicenseUse, LicenseId),
        };
        var result = ForgedLatest(logs => forged switch
        {
            "another-license" => logs.Issue("2024000002"),
            // Written as Zhuzhou's entry (signed by Zhuzhou's issuer) but appended to Changsha's log.
            "another-origin" => logs.AppendLeaf(Cs, EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseStatus, Zz, LicenseId, "430200-amr", LedgerBodies.Revoke(LicenseId), At.AddDays(1)), Key("430200-amr", Zz))),
            _ => logs.Write(Cs, EntryKinds.LicenseUse, LicenseId, LedgerBodies.Use(LicenseId)),
        }, out var index);
        AssertRefused(result, $"entry {Cs}#{index} ({kind} of '{recordId}') is not a state entry of '{LicenseId}' in {Cs}");
    }

    [Fact]
    public void An_answer_no_check_foresaw_is_refused_not_thrown()
    {
        var logs = new RefreshLogs();
        var issue = logs.Issue();
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, issue));
        var answer = logs.Refresh(Cs, LicenseId, issue);
        answer.StatusProof = null!;
        var result = EvidenceRefresh.Check(logs.Network, bundle, logs.Verify(bundle), answer);
        Assert.False(result.IsValid);
        Assert.StartsWith("the bundle cannot be checked: ", result.Failure, StringComparison.Ordinal);
        Assert.False(result.Changed);
    }

    /// <summary>The latest state the bundle shows, unchanged in the answer: the bundle's verdict stands and nothing is reported changed.</summary>
    private static void AssertUnchanged(RefreshLogs logs, EvidenceBundle bundle, ulong latest, LicenseVerdict verdict)
    {
        var verified = logs.Verify(bundle);
        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(verified.Origin, bundle.Subject, latest));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((false, verdict, (ulong?)null), (result.Changed, result.Verdict, result.EntryIndex));
        Assert.Null(result.Entry);
    }

    [Fact]
    public void A_bundle_listing_its_entries_out_of_log_order_is_unchanged_by_an_answer_with_its_latest_state()
    {
        var logs = new RefreshLogs();
        var issue = logs.Issue();
        var revocation = logs.Write(Cs, EntryKinds.LicenseStatus, LicenseId, LedgerBodies.Revoke(LicenseId));
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, revocation), (Cs, issue), (Cs, 0));
        bundle.Verdict.Status = "REVOKED";
        AssertUnchanged(logs, bundle, revocation, LicenseVerdict.Revoked);
    }

    [Fact]
    public void Another_records_later_state_entry_in_the_bundle_is_not_the_subjects_latest_state()
    {
        var logs = new RefreshLogs();
        var issue = logs.Issue();
        // A second department registered after the license: a state entry of record 430100-x, later in the log.
        var registration = logs.Append(Cs, Entry.Create(EntryKinds.IssuerRegister, Cs, "430100-x", "430100-root", RefreshLogs.Registration("430100-x"), At.AddDays(1)), Key("root", Cs));
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, issue), (Cs, registration));
        AssertUnchanged(logs, bundle, issue, LicenseVerdict.Valid);
    }

    [Fact]
    public void A_transferred_in_bundles_state_entries_in_the_old_log_are_not_its_latest_state_in_the_new_one()
    {
        var logs = new RefreshLogs();
        var issue = logs.Issue();
        var transfer = logs.Write(Cs, EntryKinds.LicenseTransfer, LicenseId, LedgerBodies.Transfer(LicenseId));
        var reference = new EntryReference { Origin = Cs, Index = transfer, LeafHash = MerkleHash.LeafHash(logs.Leaf(Cs, transfer)).ToArray(), Relation = Relations.Transfer };
        var accept = logs.Write(Zz, EntryKinds.LicenseTransferAccept, LicenseId, LedgerBodies.Accept(LicenseId, Cs), 2, reference);
        // Zhuzhou's accept (#1) has a lower index than Changsha's transfer (#2).
        var bundle = logs.Bundle(Zz, LicenseId, (Cs, 0), (Cs, issue), (Cs, transfer), (Zz, 0), (Zz, accept));
        Assert.Equal(Zz, logs.Verify(bundle).Origin);
        AssertUnchanged(logs, bundle, accept, LicenseVerdict.Valid);
    }
}
