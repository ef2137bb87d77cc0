using Huren.Cli.Commands.Audit;
using Huren.Cli.Commands.Network;
using Huren.Cli.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;

namespace Huren.Cli.Tests.Audit;

/// <summary>
/// The auditor's re-verification of a log, fed a log built here with the keys of a generated network: a sound log
/// passes, and each kind of fault (forged entry, unregistered signer, wrong root, forged cosignature) is reported.
/// </summary>
public sealed class LogAuditTests
{
    private const string Origin = "huren.cz-t/430100";
    private readonly LocalNetwork _network = LocalNetwork.Create("cz-t", 7101, 1);
    private readonly SigningKey _issuer = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);

    private SigningKey Key(string city, string path) => SigningKey.FromPem(_network.Files.Single(f => f.RelativePath == $"{city}/{path}").Content);

    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);

    private static byte[] Leaf<T>(string kind, string recordId, string issuerId, T body, SigningKey key, DateTimeOffset? at = null)
        => EntrySigner.SignToLeaf(Entry.Create(kind, Origin, recordId, issuerId, body, at ?? At), key);

    private static IssuerRegistered Registration(string issuerId, PublicKey key) => new()
    {
        IssuerId = issuerId, Name = "长沙市市场监督管理局", AuthorityCode = LedgerNetwork.Uscc("11430100HUREN0101"), DepartmentKind = "market-regulation",
        RegionCode = "430100", PublicKey = key.SubjectPublicKeyInfo, Algorithm = key.Algorithm, LicenseTypeCodes = [LedgerNetwork.BusinessLicense],
    };

    private static LicenseIssued License(string serial) => new()
    {
        LicenseId = LedgerNetwork.LicenseId(serial), TypeCode = LedgerNetwork.BusinessLicense, Name = "营业执照", LicenseNumber = "1", HolderName = "长沙互认科技有限公司",
            HolderCode = LedgerNetwork.Uscc("91430100HUREN0201"), HolderCodeType = HolderCodeTypes.Uscc, IssuingAuthority = "长沙市市场监督管理局",
            IssuingAuthorityCode = LedgerNetwork.Uscc("11430100HUREN0101"), IssueDate = "2024-03-01", ValidFrom = "2024-03-01", DocumentDigest = new byte[32], DigestAlgorithm = "sha256",
            JurisdictionCode = "430100",
            Fields = [new() { Name = "类型", Value = "有限责任公司" }, new() { Name = "住所", Value = "长沙" }, new() { Name = "成立日期", Value = "2024-03-01" }, new() { Name = "经营范围", Value = "软件" }],
    };

    private List<byte[]> SoundLog()
    {
        var license = License("000001");
        return
        [
            Leaf(EntryKinds.IssuerRegister, "430100-amr", "430100-root", Registration("430100-amr", _issuer.PublicKey), Key("430100", "keys/root.pem")),
            Leaf(EntryKinds.LicenseIssue, license.LicenseId, "430100-amr", license, _issuer),
        ];
    }

    /// <summary>The checkpoint of <paramref name="logCity"/>'s log (Changsha's unless named) over <paramref name="leaves"/>, cosigned by the two other cities' witnesses.</summary>
    private string Checkpoint(IReadOnlyList<byte[]> leaves, byte[]? root = null, string logCity = "430100")
    {
        var tree = new MemoryMerkleTree();
        foreach (var leaf in leaves) tree.Append(leaf);
        var note = new CheckpointSigner($"huren.cz-t/{logCity}", Key(logCity, "keys/log-ed25519.pem"), Key(logCity, "keys/log-sm2.pem")).Sign((ulong)leaves.Count, root ?? tree.Root().AsSpan().ToArray());
        foreach (var city in new[] { "430100", "430200", "430300" }.Where(c => c != logCity))
        {
            var witness = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor($"huren.cz-t/{city}"), Key(city, "keys/witness-ed25519.pem"));
            note = CosignatureSigner.Cosign(note, witness, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        }
        return note.ToString();
    }

    private LogAudit Audit(IReadOnlyList<byte[]> leaves, string checkpoint, Huren.Sdk.Network.TrustedNetwork? network = null)
    {
        network ??= Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis);
        var audit = new LogAudit(network, network.ByOrigin(Origin)!);
        for (var i = 0; i < leaves.Count; i++) audit.AddEntry((ulong)i, leaves[i]);
        audit.AddCheckpoint(checkpoint);
        return audit;
    }

    [Fact]
    public void A_sound_log_passes_with_every_signature_and_cosignature_counted()
    {
        var leaves = SoundLog();
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.True(report.Ok, string.Join("; ", report.Faults));
        Assert.Equal(2UL, report.Entries);
        Assert.Equal(2UL, report.SignaturesVerified);
        Assert.Equal(1UL, report.Checkpoints);
        Assert.Equal(1UL, report.FinalCheckpoints);
        Assert.Equal(2UL, report.CosignaturesVerified);
        Assert.Equal(2UL, report.LatestCheckpointSize);
    }

    [Fact]
    public void An_entry_signed_by_an_unregistered_key_is_a_fault()
    {
        var leaves = SoundLog();
        var forged = LeafReader.Read(leaves[1]);
        leaves[1] = EntrySigner.SignToLeaf(forged.Entry, SigningKey.Generate(SignatureAlgorithm.Ed25519));
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.False(report.Ok);
        Assert.Contains(report.Faults, f => f.StartsWith("entry 1 (license.issue):", StringComparison.Ordinal));
    }

    [Fact]
    public void An_entry_whose_issuer_was_never_registered_is_a_fault()
    {
        var leaves = SoundLog();
        leaves.RemoveAt(0);
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.Contains(report.Faults, f => f.Contains("was not registered before it", StringComparison.Ordinal));
    }

    [Fact]
    public void A_root_entry_written_under_another_issuer_id_than_the_city_roots_is_a_fault()
    {
        // Signed with the root key, but under a department's id: the node refuses it, so the audit must too.
        var leaves = SoundLog();
        leaves.Add(Leaf(EntryKinds.IssuerRevoke, "430100-amr", "430100-amr", new IssuerRevoked { IssuerId = "430100-amr", Reason = "机构改革" }, Key("430100", "keys/root.pem")));
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.Equal("entry 2 (issuer.revoke): written under issuer id '430100-amr', but only the city root writes it, under '430100-root'", Assert.Single(report.Faults));
    }

    /// <summary>The network with Changsha's root key rotated: the genesis key retired at <paramref name="end"/>, <paramref name="newRoot"/> current.</summary>
    private Huren.Sdk.Network.TrustedNetwork RootRotated(DateTimeOffset end, SigningKey newRoot, bool revoked = false)
    {
        var config = Huren.Sdk.Network.NetworkConfig.Parse(_network.Genesis.ToJson());
        var changsha = config.Members.Single(m => m.Origin == Origin);
        changsha.RetiredKeys.Add(new Huren.Sdk.Network.RetiredKey { Kind = "root", Key = changsha.RootKey, NotAfter = end.ToString("O"), Revoked = revoked });
        changsha.RootKey = newRoot.PublicKey.ToPem();
        return Huren.Sdk.Network.TrustedNetwork.From(config);
    }

    [Fact]
    public void After_a_root_rotation_the_retired_key_counts_for_entries_dated_up_to_its_end_and_no_later()
    {
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var leaves = SoundLog();
        leaves.Add(Leaf(EntryKinds.IssuerRegister, "430100-data", "430100-root", Registration("430100-data", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey), newRoot, At.AddHours(2)));
        var rotated = Audit(leaves, Checkpoint(leaves), RootRotated(At.AddHours(1), newRoot)).Report;
        Assert.True(rotated.Ok, string.Join("; ", rotated.Faults));
        Assert.Equal(3UL, rotated.SignaturesVerified);

        // Signed with the old key after its end, or at any time once it is revoked.
        leaves.Add(Leaf(EntryKinds.IssuerRegister, "430100-late", "430100-root", Registration("430100-late", SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey),
            Key("430100", "keys/root.pem"), At.AddHours(2)));
        var late = Audit(leaves, Checkpoint(leaves), RootRotated(At.AddHours(1), newRoot)).Report;
        Assert.StartsWith("entry 3 (issuer.register): not signed by a city root key in force at its time", Assert.Single(late.Faults), StringComparison.Ordinal);
        var revoked = Audit(leaves, Checkpoint(leaves), RootRotated(At.AddHours(1), newRoot, revoked: true)).Report;
        Assert.Contains(revoked.Faults, f => f.StartsWith("entry 0 (issuer.register): not signed by a city root key in force", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_registration_of_a_revoked_issuer_is_a_fault_and_does_not_bring_it_back()
    {
        var leaves = SoundLog();
        var root = Key("430100", "keys/root.pem");
        var secondKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var license = License("000002");
        leaves.Add(Leaf(EntryKinds.IssuerRevoke, "430100-amr", "430100-root", new IssuerRevoked { IssuerId = "430100-amr", Reason = "机构改革撤并" }, root));
        leaves.Add(Leaf(EntryKinds.IssuerRegister, "430100-amr", "430100-root", Registration("430100-amr", secondKey.PublicKey), root));
        leaves.Add(Leaf(EntryKinds.LicenseIssue, license.LicenseId, "430100-amr", license, secondKey));
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.Contains("entry 3 (issuer.register): registers issuer '430100-amr' a second time", report.Faults);
        Assert.Contains("entry 4 (license.issue): issuer '430100-amr' was revoked at index 2", report.Faults);
        Assert.Contains(report.Faults, f => f.StartsWith("entry 4 (license.issue): signerKeyId", StringComparison.Ordinal));
    }

    [Fact]
    public void A_registration_of_a_root_key_or_another_issuers_key_is_a_fault()
    {
        var leaves = SoundLog();
        var root = Key("430100", "keys/root.pem");
        leaves.Add(Leaf(EntryKinds.IssuerRegister, "430100-copy", "430100-root", Registration("430100-copy", _issuer.PublicKey), root));
        leaves.Add(Leaf(EntryKinds.IssuerRegister, "430100-rootkey", "430100-root", Registration("430100-rootkey", root.PublicKey), root));
        var report = Audit(leaves, Checkpoint(leaves)).Report;
        Assert.Equal(
            ["entry 2 (issuer.register): registers issuer '430100-copy' with the key already registered to issuer '430100-amr'",
             "entry 3 (issuer.register): registers issuer '430100-rootkey' with the city root's key"],
            report.Faults);
    }

    [Fact]
    public void A_checkpoint_whose_root_is_not_the_entries_root_is_a_fault()
    {
        var leaves = SoundLog();
        var report = Audit(leaves, Checkpoint(leaves, root: new byte[32])).Report;
        Assert.Contains(report.Faults, f => f.Contains("is not the root of the entries", StringComparison.Ordinal));
    }

    [Fact]
    public void A_forged_cosignature_or_log_signature_fails_the_checkpoint()
    {
        var leaves = SoundLog();
        var note = Checkpoint(leaves);
        var lines = note.Split('\n');
        var witnessLine = Array.FindIndex(lines, l => l.Contains("/witness ", StringComparison.Ordinal));
        var signature = Convert.FromBase64String(lines[witnessLine][(lines[witnessLine].LastIndexOf(' ') + 1)..]);
        signature[^1] ^= 1;
        lines[witnessLine] = lines[witnessLine][..(lines[witnessLine].LastIndexOf(' ') + 1)] + Convert.ToBase64String(signature);
        var report = Audit(leaves, string.Join('\n', lines)).Report;
        // A failing known line rejects the whole note (checkpoints.md), so no cosignature of it counts.
        Assert.Contains(report.Faults, f => f.StartsWith("checkpoint: invalid signature for key huren.cz-t/430", StringComparison.Ordinal) && f.Contains("/witness+", StringComparison.Ordinal));
        Assert.Equal(0UL, report.CosignaturesVerified);
        Assert.Equal(0UL, report.FinalCheckpoints);

        var otherLog = new CheckpointSigner(Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null).Sign(2, new byte[32]).ToString();
        var forged = Audit(leaves, otherLog).Report;
        Assert.Contains(forged.Faults, f => f.StartsWith("checkpoint:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lagging_checkpoint_is_compared_and_one_going_back_in_size_is_a_fault()
    {
        var leaves = SoundLog();
        var audit = new LogAudit(Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis), Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis).ByOrigin(Origin)!);
        audit.AddEntry(0, leaves[0]);
        audit.AddEntry(1, leaves[1]);
        audit.AddCheckpoint(Checkpoint(leaves.Take(1).ToList()));
        audit.AddCheckpoint(Checkpoint(leaves));
        Assert.True(audit.Report.Ok, string.Join("; ", audit.Report.Faults));
        Assert.Equal(2UL, audit.Report.Checkpoints);

        audit.AddCheckpoint(Checkpoint(leaves.Take(1).ToList()));
        Assert.Contains(audit.Report.Faults, f => f.Contains("never go back", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gap_in_the_indexes_is_a_fault()
    {
        var leaves = SoundLog();
        var audit = new LogAudit(Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis), Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis).ByOrigin(Origin)!);
        audit.AddEntry(0, leaves[0]);
        audit.AddEntry(2, leaves[1]);
        Assert.Contains(audit.Report.Faults, f => f.Contains("expected index 1", StringComparison.Ordinal));
    }

    private const string Zhuzhou = "huren.cz-t/430200";
    private static readonly string DataOfficeCode = LedgerNetwork.Uscc("11430100HUREN0401");

    /// <summary>Zhuzhou's share to Changsha's data office, as the provider's log would hold it.</summary>
    private static DataShared ShareToChangsha() => new()
    {
        ShareId = "430200-share-000001", ProviderCode = LedgerNetwork.Uscc("11430200HUREN0401"), ProviderName = "株洲市数据资源局", ConsumerCode = DataOfficeCode,
        ConsumerName = "长沙市数据资源局", ConsumerOrigin = Origin, ResourceId = "resource-001", Fields = ["holderName"], PayloadDigest = new byte[32],
        DigestAlgorithm = "sha256", Purpose = "跨域通办", MatterCode = "430100-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
        SharingType = SharingType.Unconditional, ExpiresOn = "2030-12-31", RecordCount = 3,
    };

    /// <summary>Changsha's log with its data office and one receipt of <see cref="ShareToChangsha"/> (at index 7 of Zhuzhou's log).</summary>
    private (List<byte[]> Leaves, EntryReference Share) LogWithReceipt(byte[] shareLeafHash, ulong recordCount = 3)
    {
        var office = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var registration = new IssuerRegistered
        {
            IssuerId = "430100-data", Name = "长沙市数据资源局", AuthorityCode = DataOfficeCode, DepartmentKind = "market-regulation", RegionCode = "430100",
            PublicKey = office.PublicKey.SubjectPublicKeyInfo, Algorithm = office.Algorithm, MayShareData = true,
        };
        var share = new EntryReference { Origin = Zhuzhou, Index = 7, LeafHash = shareLeafHash, Relation = Relations.Share };
        var receipt = new DataReceived
        {
            ShareId = "430200-share-000001", ProviderOrigin = Zhuzhou, ConsumerCode = DataOfficeCode, PayloadDigest = new byte[32], DigestAlgorithm = "sha256", RecordCount = recordCount,
        };
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);
        return (
        [
            Leaf(EntryKinds.IssuerRegister, "430100-data", "430100-root", registration, Key("430100", "keys/root.pem")),
            EntrySigner.SignToLeaf(Entry.Create(EntryKinds.Receipt, Origin, receipt.ShareId, "430100-data", receipt, at, share), office),
        ], share);
    }

    [Fact]
    public void A_receipt_is_checked_against_the_share_it_references_and_a_mismatch_is_a_fault()
    {
        var share = Entry.Create(EntryKinds.Share, Zhuzhou, "430200-share-000001", "430200-data", ShareToChangsha(), DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000));
        var (leaves, _) = LogWithReceipt(new byte[32]);
        var sound = Audit(leaves, Checkpoint(leaves));
        var claim = Assert.Single(sound.Receipts);
        Assert.Equal((1UL, Zhuzhou, 7UL), (claim.Index, claim.Share.Origin, claim.Share.Index));
        sound.CheckReceipt(claim, share, null);
        Assert.True(sound.Report.Ok, string.Join("; ", sound.Report.Faults));
        Assert.Equal(1UL, sound.Report.ReceiptsChecked);

        // The receipt claims 4 records where the share recorded 3.
        var (countLeaves, _) = LogWithReceipt(new byte[32], recordCount: 4);
        var count = Audit(countLeaves, Checkpoint(countLeaves));
        count.CheckReceipt(Assert.Single(count.Receipts), share, null);
        Assert.Equal($"entry 1 (receipt): body.recordCount: 4 is not the record count 3 share 430200-share-000001 (entry 7 of {Zhuzhou}) recorded", Assert.Single(count.Report.Faults));
        Assert.Equal(0UL, count.Report.ReceiptsChecked);

        // The referenced entry is a license, or a share to another city, or could not be read.
        var license = LeafReader.Read(SoundLog()[1]).Entry;
        var other = ShareToChangsha();
        other.ConsumerOrigin = "huren.cz-t/430300";
        foreach (var (entry, fault) in new (Entry?, string)[]
        {
            (license, $"entry 1 (receipt): entry 7 of {Origin} has kind license.issue, not share"),
            (Entry.Create(EntryKinds.Share, Zhuzhou, other.ShareId, "430200-data", other, DateTimeOffset.UnixEpoch), $"is addressed to the log huren.cz-t/430300, not to {Origin}"),
            (null, "entry 1 (receipt of share 430200-share-000001): the share it references cannot be checked: not reached"),
        })
        {
            var audit = Audit(leaves, Checkpoint(leaves));
            audit.CheckReceipt(audit.Receipts[0], entry, entry is null ? "not reached" : null);
            Assert.False(audit.Report.Ok);
            Assert.Contains(fault, Assert.Single(audit.Report.Faults), StringComparison.Ordinal);
        }
    }
    [Fact]
    public void A_receipt_of_a_share_beyond_what_was_read_of_the_providers_log_is_left_for_a_later_audit()
    {
        // Each log is read up to its own newest final checkpoint: Zhuzhou's may hold the receipt of a share that
        // Changsha's final checkpoint does not cover yet. Not "receipt-without-share"; a log not read at all still is.
        var ledger = new Huren.Cli.Commands.Trace.FlowLedger();
        ledger.SizesRead[Origin] = 5;
        Huren.Cli.Commands.Trace.FlowLedger.Receipt Naming(string origin, ulong index)
            => new("huren.cz-t/430200", 9, new byte[32], new Entry(), new DataReceived(),
                new EntryReference { Origin = origin, Index = index, LeafHash = new byte[32], Relation = Relations.Share });
        Assert.True(ledger.BeyondRead(Naming(Origin, 5)));
        Assert.False(ledger.BeyondRead(Naming(Origin, 4)));
        Assert.False(ledger.BeyondRead(Naming("huren.cz-t/439900", 7)));
    }

    [Fact]
    public void A_flow_audit_says_how_far_it_read_each_log_and_what_newer_entries_it_left_out()
    {
        // Witnesses that lag make the newest final checkpoint old: the audit then covers less, and says so.
        var ledger = new Huren.Cli.Commands.Trace.FlowLedger();
        ledger.SizesRead[Origin] = 5;
        ledger.LatestSizes[Origin] = 9;
        ledger.SizesRead["huren.cz-t/430200"] = 7;
        ledger.LatestSizes["huren.cz-t/430200"] = 7;
        ledger.SizesRead["huren.cz-t/430300"] = 2;
        ledger.LatestUnknown["huren.cz-t/430300"] = "it does not verify: stray key";
        Assert.Equal(4UL, ledger.NotYetFinal(Origin));
        Assert.Equal(0UL, ledger.NotYetFinal("huren.cz-t/430200"));
        // Not known is not "nothing left out".
        Assert.Null(ledger.NotYetFinal("huren.cz-t/430300"));
        var text = ledger.Coverage();
        var lines = text.Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal($"  {Origin}: 5 entries; 4 newer not yet cosigned by the witnesses, not read (try again later)", lines[1]);
        Assert.Equal("  huren.cz-t/430200: 7 entries", lines[2]);
        Assert.Equal("  huren.cz-t/430300: 2 entries; its newest checkpoint is unknown (it does not verify: stray key): newer entries may not have been read", lines[3]);
    }

    /// <summary>A node serving <paramref name="leaves"/> of Changsha's log up to a final checkpoint over all of them, as the flow audit reads it.</summary>
    private Huren.Cli.Commands.Trace.FlowSource Serving(string city, List<byte[]> leaves)
    {
        var note = Checkpoint(leaves);
        return new(city,
            (_, _, _) => Task.FromResult(((ulong)leaves.Count, note)),
            (_, _) => Task.FromResult(new Huren.Schemas.Services.CheckpointResponse { Origin = Origin, Size = (ulong)leaves.Count, Note = note }),
            (_, start, _) => Task.FromResult(new Huren.Schemas.Services.GetEntriesResponse
            {
                Entries = [.. leaves.Skip((int)start).Take(3).Select((leaf, i) => new Huren.Schemas.Services.LogEntry { Origin = Origin, Index = start + (ulong)i, Leaf = leaf })],
            }));
    }

    [Fact]
    public async Task A_flow_audit_reads_a_log_from_its_own_node_when_the_node_asked_holds_an_older_final_checkpoint()
    {
        // Zhuzhou's copy of Changsha's log stops at 5 entries (lagging, or withholding newer checkpoints); Changsha's own
        // node holds 9, final. Read from Zhuzhou alone, the audit would miss the four newest licenses and say nothing.
        var log = Nine();
        var network = Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis);
        var member = network.ByOrigin(Origin)!;
        var zhuzhou = Serving("430200", log[..5]);

        var compared = new Huren.Cli.Commands.Trace.FlowLedger();
        await compared.ReadMemberAsync(network, member, zhuzhou, Serving("430100", log), null, CancellationToken.None);
        Assert.Equal(9UL, compared.SizesRead[Origin]);
        Assert.Equal(8, compared.Issues.Count);
        Assert.Equal(("430100", (ulong?)5, (string?)null), compared.ReadFromOwnNode[Origin]);
        Assert.Equal(0UL, compared.NotYetFinal(Origin));
        Assert.Equal($"  {Origin}: 9 entries, the newest from its own node 430100 (the node asked held a final checkpoint of 5 entries only)", compared.Coverage().Split('\n')[1]);

        // The own node as far along: the node asked is read, nothing said.
        var level = new Huren.Cli.Commands.Trace.FlowLedger();
        await level.ReadMemberAsync(network, member, Serving("430200", log), Serving("430100", log), null, CancellationToken.None);
        Assert.Empty(level.ReadFromOwnNode);
        Assert.Equal($"  {Origin}: 9 entries", level.Coverage().Split('\n')[1]);

        // Its own node not reachable, or not askable: Zhuzhou's reading stands, and the audit says it was not compared.
        var down = Serving("430100", log) with { FinalCheckpoint = (_, _, _) => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "connection refused")) };
        var alone = new Huren.Cli.Commands.Trace.FlowLedger();
        await alone.ReadMemberAsync(network, member, zhuzhou, down, null, CancellationToken.None);
        Assert.Equal(5UL, alone.SizesRead[Origin]);
        Assert.Equal(4, alone.Issues.Count);
        Assert.StartsWith($"  {Origin}: 5 entries (not compared with its own node: it did not give a final checkpoint:", alone.Coverage().Split('\n')[1], StringComparison.Ordinal);
        var unasked = new Huren.Cli.Commands.Trace.FlowLedger();
        await unasked.ReadMemberAsync(network, member, zhuzhou, null, "the profile has no auditor credential for city 430100", CancellationToken.None);
        Assert.Equal($"  {Origin}: 5 entries (not compared with its own node: the profile has no auditor credential for city 430100)", unasked.Coverage().Split('\n')[1]);

        // The node asked holding no final checkpoint of the log at all: its own node's is read, without the wait, and
        // why the node asked had none is said.
        var none = Serving("430200", log) with { FinalCheckpoint = (m, _, _) => throw new InvalidOperationException($"no final checkpoint of {m.Origin} in time: its checkpoint does not verify: stray key") };
        var fromOwn = new Huren.Cli.Commands.Trace.FlowLedger();
        await fromOwn.ReadMemberAsync(network, member, none, Serving("430100", log), null, CancellationToken.None);
        Assert.Equal(9UL, fromOwn.SizesRead[Origin]);
        Assert.Contains("(the node asked held no final checkpoint of it: no final checkpoint of huren.cz-t/430100 in time: its checkpoint does not verify: stray key)", fromOwn.Coverage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flow_audit_asks_the_logs_own_nodes_at_once_so_a_slow_one_does_not_hold_up_the_others()
    {
        // Changsha's own node gives its newer entries only once Zhuzhou's own node has been asked. Read one log after
        // the other, Changsha's would wait out its budget and be reported refused; read at once, both are whole.
        var log = Nine();
        var network = Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis);
        var changsha = network.ByOrigin(Origin)!;
        var zhuzhou = network.ByOrigin("huren.cz-t/430200")!;
        var zhuzhouNote = Checkpoint([], logCity: "430200");
        var zhuzhouAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var xiangtan = Serving("430300", log[..5]);
        var asked = xiangtan with
        {
            FinalCheckpoint = (m, d, t) => m == zhuzhou ? Task.FromResult((0UL, zhuzhouNote)) : xiangtan.FinalCheckpoint(m, d, t),
            LatestCheckpoint = (m, t) => m == zhuzhou ? Task.FromResult(new Huren.Schemas.Services.CheckpointResponse { Origin = zhuzhou.Origin, Size = 0, Note = zhuzhouNote }) : xiangtan.LatestCheckpoint(m, t),
        };
        var changshaOwn = Serving("430100", log);
        var slow = changshaOwn with
        {
            Page = async (origin, start, token) =>
            {
                await zhuzhouAsked.Task.WaitAsync(token);
                return await changshaOwn.Page(origin, start, token);
            },
        };
        var zhuzhouOwn = asked with
        {
            CityCode = "430200",
            FinalCheckpoint = (m, d, t) =>
            {
                zhuzhouAsked.TrySetResult();
                return asked.FinalCheckpoint(m, d, t);
            },
        };

        var ledger = await Huren.Cli.Commands.Trace.FlowLedger.ReadMembersAsync(network, asked, [(changsha, slow, null), (zhuzhou, zhuzhouOwn, null)], CancellationToken.None, TimeSpan.FromSeconds(20));
        Assert.Empty(ledger.OwnNodeRefused);
        Assert.Equal(9UL, ledger.SizesRead[Origin]);
        Assert.Equal(("430100", (ulong?)5, (string?)null), ledger.ReadFromOwnNode[Origin]);
        Assert.Equal(0UL, ledger.SizesRead[zhuzhou.Origin]);
        Assert.Equal(8, ledger.Issues.Count);
        Assert.Equal($"  {Origin}: 9 entries, the newest from its own node 430100 (the node asked held a final checkpoint of 5 entries only)", ledger.Coverage().Split('\n')[1]);
    }

    [Fact]
    public async Task A_log_s_own_node_can_lengthen_the_flow_audit_but_not_change_what_the_node_asked_proved_and_a_fork_ends_it()
    {
        var log = Nine();
        var network = Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis);
        var member = network.ByOrigin(Origin)!;
        var zhuzhou = Serving("430200", log[..5]);

        // The own node's newer entries altered, slow, or failing: not read, the reading stands at Zhuzhou's 5 entries,
        // and the audit reports the own node (a fault: audit flows exits 1).
        var altered = Serving("430100", log) with { Page = (_, start, _) => Task.FromResult(new Huren.Schemas.Services.GetEntriesResponse
        {
            Entries = [.. log.Skip((int)start).Take(3).Select((leaf, i) => new Huren.Schemas.Services.LogEntry { Origin = Origin, Index = start + (ulong)i, Leaf = start + (ulong)i == 7 ? log[6] : leaf })],
        }) };
        var slow = Serving("430100", log) with { Page = async (_, _, token) => { await Task.Delay(Timeout.Infinite, token); return new Huren.Schemas.Services.GetEntriesResponse(); } };
        var failing = Serving("430100", log) with { Page = (_, _, _) => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "connection reset")) };
        foreach (var (own, why) in new[]
        {
            (altered, "its newer entries do not make its final checkpoint's root on the 5 entries node 430200 proved: it altered them, or the log has forked"),
            (slow, "it did not give its newer entries within 0.2 s"),
            (failing, "it did not give its newer entries:"),
        })
        {
            var ledger = new Huren.Cli.Commands.Trace.FlowLedger();
            await ledger.ReadMemberAsync(network, member, zhuzhou, own, null, CancellationToken.None, TimeSpan.FromMilliseconds(200));
            Assert.Equal(5UL, ledger.SizesRead[Origin]);
            Assert.Equal(4, ledger.Issues.Count);
            Assert.Empty(ledger.ReadFromOwnNode);
            Assert.StartsWith(why, ledger.OwnNodeRefused[Origin].Why, StringComparison.Ordinal);
            Assert.StartsWith($"  {Origin}: 5 entries; FAULT: its own node 430100 gave a final checkpoint of 9 entries, not read: {why}", ledger.Coverage().Split('\n')[1], StringComparison.Ordinal);
        }

        // The own node is never asked for what the node asked proved: an entry it would alter there is not read at all.
        var alteredBelow = Serving("430100", log) with { Page = (_, start, _) => start < 5 ? throw new InvalidOperationException("asked below the node asked's size") : Serving("430100", log).Page(Origin, start, CancellationToken.None) };
        var lengthened = new Huren.Cli.Commands.Trace.FlowLedger();
        await lengthened.ReadMemberAsync(network, member, zhuzhou, alteredBelow, null, CancellationToken.None);
        Assert.Equal(9UL, lengthened.SizesRead[Origin]);

        // Two final checkpoints not of one log, where the entries read prove it (the own node's no further along than the
        // node asked's): a fork, which ends the audit naming both. Zhuzhou's 5 entries end with another license.
        var fork = new List<byte[]>(log[..4]) { Leaf(EntryKinds.LicenseIssue, License("000099").LicenseId, "430100-amr", License("000099"), _issuer) };
        var sameSize = await Assert.ThrowsAsync<Huren.Cli.CliException>(() => new Huren.Cli.Commands.Trace.FlowLedger().ReadMemberAsync(network, member, Serving("430200", fork), Serving("430100", log[..5]), null, CancellationToken.None));
        Assert.Equal($"{Origin}: node 430100 (the log's own)'s final checkpoint of size 5 is not of the log node 430200's final checkpoint of size 5 proves: both carry the witness threshold of "
            + "cosignatures, so the log has forked (run 'huren audit equivocations'); its flows cannot be audited from either", sameSize.Message);
        var smaller = await Assert.ThrowsAsync<Huren.Cli.CliException>(() => new Huren.Cli.Commands.Trace.FlowLedger().ReadMemberAsync(network, member, Serving("430200", log), Serving("430100", fork), null, CancellationToken.None));
        Assert.StartsWith($"{Origin}: node 430100 (the log's own)'s final checkpoint of size 5 is not of the log node 430200's final checkpoint of size 9 proves", smaller.Message, StringComparison.Ordinal);
        // A fork beyond: the own node's newer checkpoint is not read (above: altered, or forked), the reading stands.
        var beyond = new Huren.Cli.Commands.Trace.FlowLedger();
        await beyond.ReadMemberAsync(network, member, Serving("430200", fork), Serving("430100", log), null, CancellationToken.None);
        Assert.Equal(5UL, beyond.SizesRead[Origin]);
        Assert.True(beyond.OwnNodeRefused.ContainsKey(Origin));

        // A node asked that serves what its own checkpoint does not sign is named, not the log's own node.
        var named = await Assert.ThrowsAsync<Huren.Cli.CliException>(() => new Huren.Cli.Commands.Trace.FlowLedger().ReadMemberAsync(network, member, Serving("430200", log) with { Page = altered.Page }, Serving("430100", log), null, CancellationToken.None));
        Assert.StartsWith($"{Origin}: node 430200's entries do not make the root of its signed checkpoint of size 9", named.Message, StringComparison.Ordinal);
    }

    /// <summary>Changsha's log of 9 entries: the registration, then 8 licenses.</summary>
    private List<byte[]> Nine()
    {
        var log = SoundLog();
        for (var i = 2; log.Count < 9; i++) log.Add(Leaf(EntryKinds.LicenseIssue, License($"00000{i}").LicenseId, "430100-amr", License($"00000{i}"), _issuer));
        return log;
    }

    /// <summary>The flow audit's read of a log (<c>trace --flows</c>, <c>audit flows</c>) from pages a node serves, <paramref name="serve"/> shaping each page.</summary>
    private async Task<List<ulong>> ReadFlowsAsync(List<byte[]> leaves, string checkpoint, Func<ulong, List<Huren.Schemas.Services.LogEntry>, List<Huren.Schemas.Services.LogEntry>>? serve = null)
    {
        var network = Huren.Sdk.Network.TrustedNetwork.From(_network.Genesis);
        var member = network.ByOrigin(Origin)!;
        Task<Huren.Schemas.Services.GetEntriesResponse> Page(ulong start)
        {
            var page = new List<Huren.Schemas.Services.LogEntry>();
            for (var i = (int)start; i < leaves.Count && page.Count < 2; i++) page.Add(new() { Origin = Origin, Index = (ulong)i, Leaf = leaves[i] });
            return Task.FromResult(new Huren.Schemas.Services.GetEntriesResponse { Entries = serve?.Invoke(start, page) ?? page });
        }
        var read = new List<ulong>();
        await foreach (var (index, _, _) in Huren.Cli.Commands.Trace.FlowLedger.ReadLogAsync(network, member, checkpoint, Page)) read.Add(index);
        return read;
    }

    [Fact]
    public async Task The_flow_audit_reads_a_whole_log_and_refuses_one_a_node_cut_or_altered()
    {
        var leaves = SoundLog();
        leaves.Add(Leaf(EntryKinds.LicenseUse, LedgerNetwork.LicenseId("000001"), "430100-amr", new LicenseUsed { LicenseId = LedgerNetwork.LicenseId("000001") }, _issuer));
        var checkpoint = Checkpoint(leaves);
        Assert.Equal([0UL, 1UL, 2UL], await ReadFlowsAsync(leaves, checkpoint));

        // A page that skips an entry (a share the node would hide), or repeats one.
        var gap = await Assert.ThrowsAsync<CliException>(() => ReadFlowsAsync(leaves, checkpoint, (start, page) => start == 0 ? [page[0], new() { Origin = Origin, Index = 2, Leaf = leaves[2] }] : page));
        Assert.Equal($"{Origin}: the node returned entry 2 where entry 1 was due (a gap or a repeat); its flows cannot be audited from it", gap.Message);

        // Other bytes in the place of an entry: they do not make the signed root.
        var altered = new List<byte[]>(leaves) { [2] = leaves[0] };
        var root = await Assert.ThrowsAsync<CliException>(() => ReadFlowsAsync(altered, checkpoint));
        Assert.Contains("do not make the root of its signed checkpoint of size 3", root.Message, StringComparison.Ordinal);

        // A copy of the log without its last entry, signed with the log's own key (as its node could) but cosigned by no
        // witness: not final, so not read.
        var copy = leaves.GetRange(0, 2);
        var tree = new MemoryMerkleTree();
        foreach (var leaf in copy) tree.Append(leaf);
        var own = new CheckpointSigner(Origin, Key("430100", "keys/log-ed25519.pem"), Key("430100", "keys/log-sm2.pem")).Sign(2, tree.Root().AsSpan().ToArray()).ToString();
        var notFinal = await Assert.ThrowsAsync<CliException>(() => ReadFlowsAsync(copy, own));
        Assert.StartsWith($"the node's latest checkpoint of {Origin} (size 2) is not final: 0 of the", notFinal.Message, StringComparison.Ordinal);

        // A checkpoint the log's key did not sign.
        var forged = new CheckpointSigner(Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null).Sign(3, new byte[32]).ToString();
        var unsigned = await Assert.ThrowsAsync<CliException>(() => ReadFlowsAsync(leaves, forged));
        Assert.StartsWith($"the node's checkpoint of {Origin} does not verify:", unsigned.Message, StringComparison.Ordinal);
    }
}
