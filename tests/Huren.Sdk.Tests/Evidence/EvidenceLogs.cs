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
/// Three cities' in-memory logs of one network (Changsha, Zhuzhou, Xiangtan), built with the SDK's signer, Merkle tree,
/// cosigner and status map: each city's issuer <c>&lt;city&gt;-amr</c> is registered at index 0 unless told otherwise;
/// it writes license entries, builds evidence bundles of chosen entries (each log's checkpoint cosigned by the next
/// city's witness, with a status-map line and the records' map proofs when asked) and a node's refresh answers, and
/// verifies bundles with <see cref="EvidenceVerifier"/>. Shared by the evidence rule, chain, refusal and refresh tests.
/// </summary>
internal sealed class EvidenceLogs
{
    public const string Cs = "huren.cz-t/430100", Zz = "huren.cz-t/430200", Xt = "huren.cz-t/430300";
    public static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
    private static readonly string[] Cities = ["430100", "430200", "430300"];

    /// <summary>The day bundles are verified on unless told otherwise.</summary>
    public static readonly DateOnly Today = new(2025, 1, 1);

    /// <summary>The id of a second license of Changsha's regulator (serial 2024000002), the one <see cref="IssueOther"/> issues.</summary>
    public static readonly string OtherLicenseId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;

    private readonly Dictionary<string, (MemoryMerkleTree Tree, List<byte[]> Leaves)> _logs = new(StringComparer.Ordinal);
    private readonly TrustedNetwork _network;
    private readonly List<NetworkMember> _members;

    /// <summary>Map values a forging node sets after the honest ones, by (origin, record id).</summary>
    private readonly Dictionary<(string Origin, string RecordId), Hash256> _forged = [];

    /// <param name="register">Whether each city's regulator is registered at index 0.</param>
    /// <param name="validUntil">The license's stated end of validity ("" = none).</param>
    /// <param name="retiredCsRoot">A retired root key of Changsha, ending in 2030, when given.</param>
    public EvidenceLogs(bool register = true, string validUntil = "", SigningKey? retiredCsRoot = null)
    {
        var members = new List<NetworkMember>();
        foreach (var city in Cities)
        {
            var origin = Origin(city);
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
        _members = members;
        _network = TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = members }.ToJson());
        License = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001", validUntil: validUntil);
        if (!register) return;
        foreach (var city in Cities) Register(Origin(city));
    }

    public LicenseIssued License { get; }

    /// <summary>The network of these logs.</summary>
    public TrustedNetwork Network => _network;

    /// <summary>The network with the same members but <paramref name="origin"/>.</summary>
    public TrustedNetwork NetworkWithout(string origin)
        => TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = [.. _members.Where(m => m.Origin != origin)] }.ToJson());

    /// <summary>
    /// A node's refresh answer for <paramref name="recordId"/> in <paramref name="origin"/> naming the entry at
    /// <paramref name="index"/> as its latest state: the log's checkpoint now, cosigned an hour after the bundles'
    /// cosignatures, the record's map proof, and that entry with its inclusion proof.
    /// </summary>
    public RefreshResponse Refresh(string origin, string recordId, ulong index)
    {
        var (tree, leaves) = _logs[origin];
        var answer = Refresh(origin, recordId, latest: false);
        answer.Index = index;
        answer.Leaf = leaves[(int)index];
        answer.InclusionProof = [.. MerkleProofBuilder.InclusionProof(index, tree.Size, tree.SubtreeLookup).Select(h => h.ToArray())];
        return answer;
    }

    /// <summary>
    /// A node's refresh answer for <paramref name="recordId"/> in <paramref name="origin"/> now: the log's checkpoint
    /// with its status-map line, cosigned by the next city's witness an hour after the bundles' cosignatures, the
    /// record's map proof, and its latest state entry with the inclusion proof (none when the record is absent).
    /// </summary>
    public RefreshResponse Refresh(string origin, string recordId) => Refresh(origin, recordId, latest: true);

    private RefreshResponse Refresh(string origin, string recordId, bool latest)
    {
        var (tree, leaves) = _logs[origin];
        var (map, root, size) = StatusMapOf(origin)!.Value;
        var note = new CheckpointSigner(origin, Key("log", origin), null).Sign(tree.Size, tree.Root().AsSpan(), [StatusMapLine.Format(root)]);
        var witness = Origin(Cities[(Array.IndexOf(Cities, City(origin)) + 1) % Cities.Length]);
        Assert.True(map.TryProve(size, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
        var answer = new RefreshResponse
        {
            Checkpoint = CosignatureSigner.Cosign(note, Witness(witness), At.AddHours(2)).ToString(),
            StatusProof = BundleStatusProof.Create(origin, size, recordId, root, value, proof).ToJsonElement().GetRawText(),
        };
        if (!latest) return answer;
        for (var i = leaves.Count - 1; i >= 0; i--)
        {
            var entry = LeafReader.Read(leaves[i]).Entry;
            if (entry.RecordId != recordId || !StatusMapRecords.SetsState(entry.Kind)) continue;
            answer.Index = (ulong)i;
            answer.Leaf = leaves[i];
            answer.InclusionProof = [.. MerkleProofBuilder.InclusionProof((ulong)i, size, tree.SubtreeLookup).Select(h => h.ToArray())];
            break;
        }
        return answer;
    }

    public string LicenseId => License.LicenseId;

    private static string Origin(string city) => $"huren.cz-t/{city}";

    private static string City(string origin) => origin[(origin.LastIndexOf('/') + 1)..];

    /// <summary>The test key of <paramref name="role"/> in <paramref name="origin"/>.</summary>
    public static SigningKey Key(string role, string origin) => TestKeys.Ed25519($"evidence-rules-{role}-{origin}");

    public SigningKey Root(string origin) => Key("root", origin);

    public SigningKey Amr(string origin) => Key("amr", origin);

    /// <summary>
    /// The key of issuer <paramref name="issuerId"/> ("&lt;city&gt;-&lt;name&gt;") in <paramref name="origin"/>: the
    /// regulator's for <c>&lt;city&gt;-amr</c>, otherwise one of its own (never the city root's, even for <c>&lt;city&gt;-root</c>).
    /// </summary>
    public SigningKey IssuerKey(string issuerId, string origin)
    {
        var name = issuerId[(issuerId.IndexOf('-') + 1)..];
        return name == "amr" ? Amr(origin) : Key($"issuer-{name}", origin);
    }

    private static NoteSignerKey Witness(string origin) => NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), Key("witness", origin));

    /// <summary>The registration body of <paramref name="issuerId"/> for business licenses, with <paramref name="publicKey"/> (default: the issuer's own key).</summary>
    public IssuerRegistered Registration(string origin, string issuerId, byte[]? publicKey = null)
    {
        var body = LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, Amr(origin).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: City(origin));
        body.PublicKey = publicKey ?? IssuerKey(issuerId, origin).PublicKey.SubjectPublicKeyInfo;
        return body;
    }

    /// <summary>The city root's registration of <paramref name="issuerId"/> (default: the city's regulator), unsigned.</summary>
    public Entry RegistrationEntry(string origin, string? issuerId = null)
    {
        issuerId ??= $"{City(origin)}-amr";
        return Entry.Create(EntryKinds.IssuerRegister, origin, issuerId, $"{City(origin)}-root", Registration(origin, issuerId), At);
    }

    /// <summary>Registers <paramref name="issuerId"/> (default: the city's regulator) for business licenses, signed by the city root.</summary>
    public ulong Register(string origin, string? issuerId = null) => Append(origin, RegistrationEntry(origin, issuerId), Root(origin));

    public EvidenceResult Verify(EvidenceBundle bundle, DateOnly? day = null) => new EvidenceVerifier(_network).Verify(bundle, day ?? Today);

    /// <summary>
    /// Signs and appends <paramref name="entry"/>. A license change, status change or transfer that names no 'previous'
    /// entry is given one first, the license's latest entry in the log, as the ledger requires (sign with
    /// <see cref="AppendLeaf"/> to leave it out).
    /// </summary>
    public ulong Append(string origin, Entry entry, SigningKey key)
    {
        if (EntryKinds.NamesPrevious(entry.Kind)
            && !entry.References.Exists(r => r.Relation == Relations.Previous) && _latest.TryGetValue((origin, entry.RecordId), out var latest))
        {
            entry.References.Add(new EntryReference { Origin = origin, Index = latest, LeafHash = LeafHash(origin, latest), Relation = Relations.Previous });
        }
        return AppendLeaf(origin, EntrySigner.SignToLeaf(entry, key));
    }

    /// <summary>The latest entry of each license in each log (its issue, accept, change, status change or transfer), by the id the log gives it.</summary>
    private readonly Dictionary<(string Origin, string LicenseId), ulong> _latest = [];

    /// <summary>Appends <paramref name="leaf"/> as it is (it need not be a readable entry).</summary>
    public ulong AppendLeaf(string origin, byte[] leaf)
    {
        var (tree, leaves) = _logs[origin];
        leaves.Add(leaf);
        tree.Append(leaf);
        var index = (ulong)leaves.Count - 1;
        if (LeafReader.TryRead(leaf, out var read, out _) && StatusMapRecords.RecordKindOf(read!.Entry.Kind) == StatusMapRecords.License)
        {
            var id = read.Entry.RecordId;
            if (read.Entry.Kind == EntryKinds.LicenseTransferAccept && EntryKinds.Of<LicenseTransferAccepted>().TryDecode(read.Entry.Body, out var accept, out _) && accept!.NewLicenseId.Length > 0) id = accept.NewLicenseId;
            _latest[(origin, id)] = index;
        }
        return index;
    }

    /// <summary>The leaf at <paramref name="index"/> of <paramref name="origin"/>.</summary>
    public byte[] Leaf(string origin, ulong index) => _logs[origin].Leaves[(int)index];

    /// <summary>Every entry of every log so far.</summary>
    public (string Origin, ulong Index)[] All()
        => [.. _logs.SelectMany(log => Enumerable.Range(0, log.Value.Leaves.Count).Select(i => (log.Key, (ulong)i)))];

    /// <summary>An entry of <paramref name="kind"/> about <paramref name="recordId"/> signed by the log's <c>&lt;city&gt;-amr</c>, <paramref name="day"/> days after <see cref="At"/>.</summary>
    public ulong Write<TBody>(string origin, string kind, string recordId, TBody body, int day = 1, params EntryReference[] references) where TBody : class
        => Append(origin, Entry.Create(kind, origin, recordId, $"{City(origin)}-amr", body, At.AddDays(day), references), Amr(origin));

    /// <summary>The license issued in <paramref name="origin"/> by its regulator.</summary>
    public ulong Issue(string origin = Cs) => Append(origin, Entry.Create(EntryKinds.LicenseIssue, origin, LicenseId, $"{City(origin)}-amr", License, At), Amr(origin));

    /// <summary>The second license (<see cref="OtherLicenseId"/>) issued in <paramref name="origin"/> by its regulator.</summary>
    public ulong IssueOther(string origin = Cs)
        => Append(origin, Entry.Create(EntryKinds.LicenseIssue, origin, OtherLicenseId, $"{City(origin)}-amr", LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002"), At), Amr(origin));

    /// <summary>A status change of the license by the city's regulator, <paramref name="days"/> after issue (unsigned).</summary>
    public Entry Status(string origin, LicenseStatusChanged body, int days) => Entry.Create(EntryKinds.LicenseStatus, origin, LicenseId, $"{City(origin)}-amr", body, At.AddDays(days));

    /// <summary>The license's transfer out of <paramref name="origin"/> to <paramref name="toCity"/>, <paramref name="day"/> days after issue.</summary>
    public ulong Transfer(string origin, string toCity, int day = 1)
        => Write(origin, EntryKinds.LicenseTransfer, LicenseId, LedgerBodies.Transfer(LicenseId, toCity), day);

    /// <summary>The acceptance in <paramref name="origin"/> of the transfer <paramref name="fromOrigin"/>#<paramref name="transfer"/>, under <paramref name="newId"/> when given.</summary>
    public ulong Accept(string origin, string fromOrigin, ulong transfer, string newId = "", int day = 2)
    {
        var reference = new EntryReference { Origin = fromOrigin, Index = transfer, LeafHash = LeafHash(fromOrigin, transfer), Relation = Relations.Transfer };
        return Write(origin, EntryKinds.LicenseTransferAccept, LicenseId, LedgerBodies.Accept(LicenseId, fromOrigin, newId), day, reference);
    }

    /// <summary>From now on the map of <paramref name="origin"/> says <paramref name="recordId"/>'s latest state is the leaf at <paramref name="index"/>.</summary>
    public void ForgeMap(string origin, string recordId, ulong index) => _forged[(origin, recordId)] = MerkleHash.LeafHash(Leaf(origin, index));

    private byte[] LeafHash(string origin, ulong index) => MerkleHash.LeafHash(_logs[origin].Leaves[(int)index]).ToArray();


    /// <summary>A bundle of the given entries, each log's checkpoint of its current size cosigned by the next city's witness.</summary>
    public EvidenceBundle Bundle(string verdictOrigin, string subject, params (string Origin, ulong Index)[] entries)
    {
        var bundle = new EvidenceBundle
        {
            Network = "cz-t", Subject = subject, CreatedAt = CreatedAt,
            Verdict = new BundleVerdict { Status = "VALID", AsOf = new BundleCheckpointRef { Origin = verdictOrigin, Size = (ulong)_logs[verdictOrigin].Leaves.Count } },
        };
        foreach (var (origin, index) in entries)
        {
            var (tree, leaves) = _logs[origin];
            bundle.Entries.Add(ProvenBundleEntry.Of(origin, index, leaves[(int)index], tree, tree.Size));
            if (bundle.Checkpoints.ContainsKey(origin)) continue;
            var map = WithStatusMap ? StatusMapOf(origin) : null;
            var note = new CheckpointSigner(origin, Key("log", origin), null).Sign(tree.Size, tree.Root().AsSpan(),
                map is null ? null : [StatusMapLine.Format(map.Value.Root)]);
            var witness = Origin(Cities[(Array.IndexOf(Cities, City(origin)) + 1) % Cities.Length]);
            bundle.Checkpoints[origin] = CosignatureSigner.Cosign(note, Witness(witness), At.AddMinutes(30)).ToString();
        }
        if (WithStatusMap) AddStatusProofs(bundle);
        return bundle;
    }

    /// <summary>Whether checkpoints carry a status-map line of their log and bundles the proofs of their records (as a node makes them).</summary>
    public bool WithStatusMap { get; init; }

    /// <summary>Which state entries the map holds (all by default; fewer to make a map that leaves a record out).</summary>
    public Func<Entry, bool> Mapped { get; init; } = _ => true;

    /// <summary>When bundles are made (an hour after <see cref="At"/> unless told otherwise).</summary>
    public DateTimeOffset CreatedAt { get; init; } = At.AddHours(1);

    /// <summary>
    /// The status map of a log's leaves, built as a node does (of the readable entries <see cref="Mapped"/> keeps, then
    /// the values <see cref="ForgeMap"/> set), and its root.
    /// </summary>
    private (StatusMapTree Tree, Hash256 Root, ulong Size)? StatusMapOf(string origin)
    {
        var leaves = _logs[origin].Leaves;
        var store = new MemoryStatusMapStore();
        var tree = new StatusMapTree(store);
        var updates = new List<StatusMapUpdate>();
        foreach (var leaf in leaves)
        {
            if (!LeafReader.TryRead(leaf, out var read, out _)) continue;
            var entry = read!.Entry;
            if (StatusMapRecords.SetsState(entry.Kind) && Mapped(entry)) updates.Add(StatusMapUpdate.ForRecord(entry.RecordId, MerkleHash.LeafHash(leaf)));
        }
        // The batch keeps a key's last value: forged values override the honest ones.
        foreach (var ((forgedOrigin, recordId), hash) in _forged)
            if (forgedOrigin == origin) updates.Add(StatusMapUpdate.ForRecord(recordId, hash));
        var writes = tree.Prepare(0, (ulong)leaves.Count, updates.ToArray());
        store.Apply(writes);
        return (tree, writes.Root.Hash, (ulong)leaves.Count);
    }

    /// <summary>The map proof of the subject and of every record the bundle's entries set a state of, per log (as the node's builder).</summary>
    private void AddStatusProofs(EvidenceBundle bundle)
    {
        var records = new SortedSet<(string Origin, string RecordId)>();
        foreach (var origin in bundle.Checkpoints.Keys)
        {
            if (bundle.Subject.Length > 0 && StatusMapOf(origin) is not null) records.Add((origin, bundle.Subject));
        }
        foreach (var e in bundle.Entries)
        {
            var entry = LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry;
            if (StatusMapRecords.SetsState(entry.Kind)) records.Add((e.Origin, entry.RecordId));
        }
        foreach (var (origin, recordId) in records)
        {
            var (tree, root, size) = StatusMapOf(origin)!.Value;
            Assert.True(tree.TryProve(size, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
            bundle.StatusProofs.Add(BundleStatusProof.Create(origin, size, recordId, root, value, proof).ToJsonElement());
        }
    }

    /// <summary>Changsha: #0 the registration, #1 the license, #2 its revocation; the bundle holds all three.</summary>
    public (EvidenceBundle Bundle, ulong Revocation) RevokedBundle()
    {
        Issue();
        var revocation = Append(Cs, Entry.Create(EntryKinds.LicenseStatus, Cs, LicenseId, "430100-amr", LedgerBodies.Revoke(LicenseId), At.AddMinutes(5)), Amr(Cs));
        var bundle = Bundle(Cs, LicenseId, (Cs, 0), (Cs, 1), (Cs, revocation));
        bundle.Verdict.Status = "REVOKED";
        return (bundle, revocation);
    }

    /// <summary>Changsha: #0 the registration, #1 the license.</summary>
    public EvidenceBundle LocalBundle()
    {
        Issue();
        return Bundle(Cs, LicenseId, (Cs, 0), (Cs, 1));
    }

    /// <summary>Changsha's registration and one entry about the license, signed by <paramref name="key"/>.</summary>
    public EvidenceBundle Single(string origin, Entry entry, SigningKey key)
    {
        Append(origin, entry, key);
        return Bundle(origin, LicenseId, (origin, 0), (origin, 1));
    }

    /// <summary>
    /// Fresh logs (same keys, so the same network) whose only registration is <paramref name="registration"/> signed
    /// by <paramref name="signer"/>, then the license.
    /// </summary>
    public EvidenceBundle Rooted(string origin, SigningKey signer, IssuerRegistered registration)
    {
        var fresh = new EvidenceLogs(register: false);
        fresh.Append(origin, Entry.Create(EntryKinds.IssuerRegister, origin, registration.IssuerId, "430100-root", registration, At), signer);
        fresh.Issue();
        return fresh.Bundle(origin, LicenseId, (origin, 0), (origin, 1));
    }

    /// <summary>Changsha: #0 registration, #1 the issuer revoked, #2 the license it signed afterwards.</summary>
    public EvidenceBundle RevokedIssuer()
    {
        Append(Cs, Entry.Create(EntryKinds.IssuerRevoke, Cs, "430100-amr", "430100-root", new IssuerRevoked { IssuerId = "430100-amr", Reason = "撤销" }, At), Root(Cs));
        Issue();
        return Bundle(Cs, LicenseId, (Cs, 0), (Cs, 1), (Cs, 2));
    }

    /// <summary>The new document digest a change sets.</summary>
    public static readonly byte[] NewDigest = LedgerBodies.DigestOf("营业执照（变更后）");

    public byte[] LeafHashOf(string origin, ulong index) => LeafHash(origin, index);

    /// <summary>Changsha: #1 the license, #2 a change, then a suspension and a resumption when asked, all by its issuer.</summary>
    public EvidenceBundle ChangedBundle(string newValidUntil, bool newDigest, bool suspend, bool resume, string stated)
    {
        var indexes = new List<(string, ulong)> { (Cs, 0), (Cs, Issue()) };
        indexes.Add((Cs, Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, LicenseId, "430100-amr", LedgerBodies.Change(LicenseId, newValidUntil, newDigest ? NewDigest : null), At.AddDays(1)), Amr(Cs))));
        if (suspend) indexes.Add((Cs, Append(Cs, Entry.Create(EntryKinds.LicenseStatus, Cs, LicenseId, "430100-amr", LedgerBodies.Suspend(LicenseId), At.AddDays(2)), Amr(Cs))));
        if (resume) indexes.Add((Cs, Append(Cs, Entry.Create(EntryKinds.LicenseStatus, Cs, LicenseId, "430100-amr", LedgerBodies.Resume(LicenseId), At.AddDays(3)), Amr(Cs))));
        var bundle = Bundle(Cs, LicenseId, [.. indexes]);
        bundle.Verdict.Status = stated;
        return bundle;
    }

    /// <summary>Changsha: #1 the license, #2 its transfer to Zhuzhou, no accept.</summary>
    public EvidenceBundle TransferredOut()
    {
        Issue();
        Append(Cs, Entry.Create(EntryKinds.LicenseTransfer, Cs, LicenseId, "430100-amr", LedgerBodies.Transfer(LicenseId), At.AddDays(1)), Amr(Cs));
        var bundle = Bundle(Cs, LicenseId, (Cs, 0), (Cs, 1), (Cs, 2));
        bundle.Verdict.Status = "TRANSFERRED";
        return bundle;
    }

    /// <summary>The license in Changsha's and Zhuzhou's logs, no accept joining them.</summary>
    public EvidenceBundle TwoLogsWithoutAccept()
    {
        Issue();
        Append(Zz, Entry.Create(EntryKinds.LicenseStatus, Zz, LicenseId, "430200-amr", LedgerBodies.Suspend(LicenseId), At.AddDays(1)), Amr(Zz));
        return Bundle(Cs, LicenseId, (Cs, 0), (Cs, 1), (Zz, 0), (Zz, 1));
    }

    /// <summary>
    /// The license's round trip Changsha → Zhuzhou → Xiangtan → Changsha: Changsha #1 issue, #2 transfer; Zhuzhou #1
    /// accept, #2 transfer; Xiangtan #1 accept, #2 transfer; Changsha #3 accept (under a new id when
    /// <paramref name="renamedOnReturn"/>), #4 a change. The bundle holds them all, about the license as Changsha holds it now.
    /// </summary>
    public (EvidenceBundle Bundle, string Subject) ChainBundle(bool renamedOnReturn, bool zhuzhouTransfersBeforeItAccepts = false)
    {
        var returnedId = renamedOnReturn ? LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000009").LicenseId : LicenseId;
        var entries = new List<(string, ulong)> { (Cs, 0), (Zz, 0), (Xt, 0), (Cs, Issue()) };
        EntryReference Ref(string origin, ulong index) => new() { Origin = origin, Index = index, LeafHash = LeafHash(origin, index), Relation = Relations.Transfer };
        ulong Transfer(string origin, string to, int day)
        {
            var index = Append(origin, Entry.Create(EntryKinds.LicenseTransfer, origin, LicenseId, $"{City(origin)}-amr", LedgerBodies.Transfer(LicenseId, to), At.AddDays(day)), Amr(origin));
            entries.Add((origin, index));
            return index;
        }
        ulong Accept(string origin, string from, ulong transfer, int day, string newId = "")
        {
            var index = Append(origin, Entry.Create(EntryKinds.LicenseTransferAccept, origin, LicenseId, $"{City(origin)}-amr", LedgerBodies.Accept(LicenseId, from, newId), At.AddDays(day), [Ref(from, transfer)]), Amr(origin));
            entries.Add((origin, index));
            return index;
        }
        var fromCs = Transfer(Cs, "430200", 1);
        ulong fromZz;
        if (zhuzhouTransfersBeforeItAccepts)
        {
            fromZz = Transfer(Zz, "430300", 2);
            Accept(Zz, Cs, fromCs, 3);
        }
        else
        {
            Accept(Zz, Cs, fromCs, 2);
            fromZz = Transfer(Zz, "430300", 3);
        }
        Accept(Xt, Zz, fromZz, 4);
        var fromXt = Transfer(Xt, "430100", 5);
        Accept(Cs, Xt, fromXt, 6, renamedOnReturn ? returnedId : "");
        entries.Add((Cs, Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, returnedId, "430100-amr", LedgerBodies.Change(returnedId, "2030-12-31", null), At.AddDays(7)), Amr(Cs))));
        return (Bundle(Cs, returnedId, [.. entries]), returnedId);
    }

    /// <summary>
    /// Changsha: #1 the license, #2 its transfer to Zhuzhou; Zhuzhou: #1 the accept referencing Changsha #2. Each
    /// switch breaks one rule of the transfer join.
    /// </summary>
    public EvidenceBundle TransferBundle(bool secondAccept = false, string? acceptFrom = null, bool reference = true, bool leaveOutTransfer = false,
        string transferTo = "430200", bool changeAfterTransfer = false, bool thirdLogEntry = false, bool changeBeforeAccept = false, bool dropAcceptingCheckpointEntries = false,
        ulong? referenceIndex = null, bool wrongReferenceHash = false, bool referenceOtherLicensesTransfer = false, string referenceOrigin = Cs, string referenceRelation = Relations.Transfer,
        string newId = "", bool rootSuspendsAfterAccept = false)
    {
        Issue();
        var transfer = Append(Cs, Entry.Create(EntryKinds.LicenseTransfer, Cs, LicenseId, "430100-amr", LedgerBodies.Transfer(LicenseId, transferTo), At.AddDays(1)), Amr(Cs));
        var entries = new List<(string, ulong)> { (Cs, 0), (Cs, 1) };
        if (!leaveOutTransfer) entries.Add((Cs, transfer));
        if (referenceOtherLicensesTransfer)
        {
            var other = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;
            referenceIndex = Append(Cs, Entry.Create(EntryKinds.LicenseTransfer, Cs, other, "430100-amr", LedgerBodies.Transfer(other), At.AddDays(1)), Amr(Cs));
            entries.Add((Cs, referenceIndex.Value));
        }
        var named = referenceIndex ?? transfer;
        var namedHash = LeafHash(Cs, named);
        if (wrongReferenceHash) namedHash[0] ^= 1;
        if (changeAfterTransfer) entries.Add((Cs, Append(Cs, Entry.Create(EntryKinds.LicenseStatus, Cs, LicenseId, "430100-amr", LedgerBodies.Suspend(LicenseId), At.AddDays(2)), Amr(Cs))));
        if (changeBeforeAccept) entries.Add((Zz, Append(Zz, Entry.Create(EntryKinds.LicenseStatus, Zz, LicenseId, "430200-amr", LedgerBodies.Suspend(LicenseId), At.AddDays(2)), Amr(Zz))));
        var references = reference ? new[] { new EntryReference { Origin = referenceOrigin, Index = named, LeafHash = namedHash, Relation = referenceRelation } } : [];
        var accept = Entry.Create(EntryKinds.LicenseTransferAccept, Zz, LicenseId, "430200-amr", LedgerBodies.Accept(LicenseId, acceptFrom ?? Cs, newId), At.AddDays(3), references);
        entries.Add((Zz, 0));
        entries.Add((Zz, Append(Zz, accept, Amr(Zz))));
        if (secondAccept) entries.Add((Zz, Append(Zz, accept, Amr(Zz))));
        var subject = newId.Length > 0 ? newId : LicenseId;
        if (rootSuspendsAfterAccept) entries.Add((Zz, Append(Zz, Entry.Create(EntryKinds.LicenseStatus, Zz, subject, "430200-root", LedgerBodies.Suspend(subject), At.AddDays(5)), Root(Zz))));
        if (thirdLogEntry)
        {
            entries.Add((Xt, 0));
            entries.Add((Xt, Append(Xt, Entry.Create(EntryKinds.LicenseStatus, Xt, LicenseId, "430300-amr", LedgerBodies.Suspend(LicenseId), At.AddDays(4)), Amr(Xt))));
        }
        var bundle = Bundle(Zz, subject, [.. entries]);
        if (rootSuspendsAfterAccept) bundle.Verdict.Status = "SUSPENDED";
        if (dropAcceptingCheckpointEntries) bundle.Verdict.AsOf.Size = 1;
        return bundle;
    }
}
