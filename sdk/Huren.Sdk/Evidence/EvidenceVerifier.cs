using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;

namespace Huren.Sdk.Evidence;

/// <summary>The outcome of checking a bundle offline.</summary>
/// <param name="IsValid">
/// Every signature, proof and checkpoint checked, and the verdict recomputed as of the bundle's own day (<see cref="AsOfDay"/>)
/// equal to the one it states: the evidence is authentic, whatever the license's state on the day asked about.
/// </param>
/// <param name="Verdict">
/// The verdict recomputed from the entries for the day the caller asked about (e.g. <c>EXPIRED</c> for a license that
/// was valid when the bundle was made and has expired since); <see cref="LicenseVerdict.Unspecified"/> when the bundle
/// is invalid.
/// </param>
/// <param name="Failure">Why the bundle is not valid, or null.</param>
/// <param name="Final">Whether every checkpoint carries the network's witness threshold of cosignatures.</param>
public sealed record EvidenceResult(bool IsValid, LicenseVerdict Verdict, string? Failure, bool Final)
{
    /// <summary>The license id the bundle is about (empty unless <see cref="IsValid"/>).</summary>
    public string Subject { get; init; } = "";

    /// <summary>The license as issued, read from the verified issue entry (null unless <see cref="IsValid"/>).</summary>
    public LicenseIssued? License { get; init; }

    /// <summary>Its last day of validity after every verified change (empty: 长期).</summary>
    public string ValidUntil { get; init; } = "";

    /// <summary>The log the verdict is about: the accepting log for a license transferred in, else the issuing log.</summary>
    public string Origin { get; init; } = "";

    /// <summary>The issuer answering for the license in <see cref="Origin"/> (the accepting issuer after a transfer).</summary>
    public string IssuerId { get; init; } = "";

    /// <summary>Every document digest the verified entries give the license (issue and changes).</summary>
    public IReadOnlyList<byte[]> DocumentDigests { get; init; } = [];

    /// <summary>The license's issue (or transfer accept) entry in <see cref="Origin"/>: what a <c>license.use</c> references.</summary>
    public EntryReference? LicenseEntry { get; init; }

    /// <summary>The day <see cref="Verdict"/> is for (the caller's <c>today</c>).</summary>
    public DateOnly Day { get; init; }

    /// <summary>The bundle's own day: its <c>createdAt</c> in China time, the day its stated verdict is judged on.</summary>
    public DateOnly AsOfDay { get; init; }

    /// <summary>
    /// The verdict as of <see cref="AsOfDay"/> and the bundle's checkpoint: the one the bundle states (checked equal).
    /// It differs from <see cref="Verdict"/> when the license's dates alone changed its state between the two days.
    /// </summary>
    public LicenseVerdict AsOfVerdict { get; init; }

    /// <summary>The key <see cref="IssuerId"/> signs with, as its verified registration gives it (null unless <see cref="IsValid"/>).</summary>
    public PublicKey? IssuerKey { get; init; }

    /// <summary>The license's lifecycle entries the verdict was recomputed from, in replay order (issue first; uses left out).</summary>
    public IReadOnlyList<Entry> History { get; init; } = [];

    /// <summary>
    /// Who wrote the license's latest issue, accept, change, status or transfer entry in <see cref="Origin"/>: its
    /// issuer, a successor department, or the city root (empty unless <see cref="IsValid"/>).
    /// </summary>
    public string ActedBy { get; init; } = "";

    /// <summary>Whether <see cref="ActedBy"/> is the city root, which suspends or revokes a license only as a last resort.</summary>
    public bool ActedByCityRoot { get; init; }

    /// <summary>The successions under which <see cref="ActedBy"/> answered for the license, in order (empty: its own issuer or the city root).</summary>
    public IReadOnlyList<SuccessionEvidence> ActedUnder { get; init; } = [];

    /// <summary>The size of the bundle's checkpoint of <see cref="Origin"/>: the log position the verdict is as of (0 unless <see cref="IsValid"/>).</summary>
    public ulong CheckpointSize { get; init; }

    /// <summary>
    /// The newest time a witness of another member cosigned that checkpoint (its cosignature's timestamp): how fresh the
    /// evidence is. Null when it carries no verified cosignature, or unless <see cref="IsValid"/>.
    /// </summary>
    public DateTimeOffset? CosignedAt { get; init; }

    /// <summary>Whether the checkpoint carries a status-map line, so the bundle's latest states were proven current as of it.</summary>
    public bool StatusProven { get; init; }

    /// <summary>
    /// Whether the verdict may be relied on: the bundle verified, its checkpoint is final, and its status-map line proves
    /// that no later entry of the license (a revocation, say) was left out. A final checkpoint without the line proves
    /// only what the bundle shows, whoever holds the log's keys could have signed it so.
    /// </summary>
    public bool Reliable => IsValid && Final && StatusProven;

    /// <summary>
    /// The license's moves between cities, oldest first, each proven by its transfer entry in the releasing log and its
    /// accept in the receiving one (empty for a license that never moved, or unless <see cref="IsValid"/>).
    /// </summary>
    public IReadOnlyList<TransferHop> Hops { get; init; } = [];
}

/// <summary>
/// Checks a <c>huren-evidence/v1</c> bundle with nothing but the network configuration: each checkpoint's signature
/// lines (<see cref="TrustedMember.VerifyCheckpoint(string)"/>: the log's Ed25519 and SM2 lines, every cosignature of a
/// member's witness key; cosignatures count for finality), each entry's inclusion proof to its checkpoint, each
/// entry's signature by the key its city root registered, and the verdict, recomputed from the entries, never taken on
/// trust.
/// Total: whatever the input (nulls, bad base64, bad protobuf, bodies of the wrong kind), it returns a result, never
/// throws; a bundle that cannot be checked is a failure with the reason.
/// </summary>
public sealed class EvidenceVerifier
{
    private readonly TrustedNetwork _network;

    /// <summary>A verifier against <paramref name="network"/>.</summary>
    public EvidenceVerifier(TrustedNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
    }

    /// <summary>A verifier against <paramref name="network"/>, parsed here.</summary>
    /// <exception cref="FormatException">The configuration or one of its member keys does not parse.</exception>
    public EvidenceVerifier(NetworkConfig network)
        : this(TrustedNetwork.From(network))
    {
    }

    /// <summary>The network bundles are checked against.</summary>
    public TrustedNetwork Network => _network;

    /// <summary>Parses and checks a bundle's JSON as of <paramref name="today"/> (China time); JSON that is not a bundle fails with the reason.</summary>
    public EvidenceResult Verify(string? bundleJson, DateOnly today, out EvidenceBundle? bundle)
    {
        bundle = null;
        if (bundleJson is null) return Fail("there is no evidence bundle");
        try
        {
            bundle = EvidenceBundle.Parse(bundleJson);
        }
        catch (FormatException ex)
        {
            return Fail($"not a valid evidence bundle: {ex.Message}");
        }
        return Verify(bundle, today);
    }

    /// <summary>Checks <paramref name="bundle"/> as of <paramref name="today"/> (China time).</summary>
    public EvidenceResult Verify(EvidenceBundle? bundle, DateOnly today)
    {
        if (bundle is null) return Fail("there is no evidence bundle");
        if (bundle.MissingField() is { } missing) return Fail($"{missing} is missing or null");
        return Total(() => Check(bundle, today), Fail);
    }

    /// <summary>Runs <paramref name="check"/>; input no check foresaw becomes a failure with the reason, never an exception.</summary>
    internal static T Total<T>(Func<T> check, Func<string, T> fail)
    {
        try
        {
            return check();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or OverflowException
            or System.Security.Cryptography.CryptographicException or ProtoBuf.ProtoException or IOException or KeyNotFoundException)
        {
            // Every check returns its own reason; this is the net under input no check foresaw.
            return fail($"the bundle cannot be checked: {ex.Message}");
        }
    }

    private EvidenceResult Check(EvidenceBundle bundle, DateOnly today)
    {
        if (Prove(bundle, out var proven) is { } failure) return Fail(failure);
        var result = Recompute(bundle, today, proven);
        if (!result.IsValid) return result;
        // After the verdict: a bundle whose entries contradict each other says so first; one that is consistent but
        // leaves out a later state (a trimmed bundle) fails here.
        if (CheckStatusProofs(bundle, proven) is { } stale) return Fail(stale);
        return result.IsValid ? result with { CheckpointSize = proven.Roots[result.Origin].Size, CosignedAt = proven.CosignedAt.GetValueOrDefault(result.Origin), StatusProven = proven.StatusProven.Contains(result.Origin) } : result;
    }

    /// <summary>
    /// The checks every bundle gets, whatever it is about: format and network; each checkpoint signed by its origin's
    /// log key (final when cosigned by the threshold); each entry proven into its checkpoint and decoded canonically,
    /// once; issuer registrations signed by the city root, every other entry by the key its issuer registered in the
    /// same log and not after the issuer's revocation. Null when all pass, else the reason.
    /// </summary>
    // A hint when the bundle names a newer configuration than the verifier's: its keys may be ones this one lacks.
    private string NewerConfiguration(EvidenceBundle bundle)
        => bundle.ConfigVersion > _network.Version ? $" (the bundle was made under network configuration version {bundle.ConfigVersion}; this verifier has version {_network.Version}: follow the chain of versions first)" : "";

    // The member's root key, or a retired one whose end the entry's time is not after (key rotation).
    private static bool RootSigned(TrustedMember member, DecodedLeaf read, out string? error)
        => member.IsRootSigned(read.Signed, read.Entry.TimeUnixMs, out error);

    internal string? Prove(EvidenceBundle bundle, out ProvenBundle proven)
    {
        proven = new ProvenBundle();
        if (bundle.Format != EvidenceBundle.FormatV1) return $"format '{bundle.Format}' is not {EvidenceBundle.FormatV1}";
        if (bundle.Network != _network.NetworkId) return $"bundle is for network '{bundle.Network}', the configuration is '{_network.NetworkId}'";

        // 1. Checkpoints: every line of a key the configuration gives must verify (log, SM2, witnesses); final when
        // cosigned by the threshold of other members.
        var roots = proven.Roots;
        var checkpoints = proven.Checkpoints;
        var final = true;
        foreach (var (origin, note) in bundle.Checkpoints)
        {
            var member = _network.ByOrigin(origin);
            if (member is null) return $"checkpoint origin '{origin}' is not a member of network {_network.NetworkId}";
            var checkpoint = member.VerifyCheckpoint(note);
            if (!checkpoint.IsValid) return $"checkpoint of {origin}: {checkpoint.Failure}{NewerConfiguration(bundle)}";
            roots[origin] = (checkpoint.Checkpoint.Size, new Hash256(checkpoint.Checkpoint.RootHash));
            checkpoints[origin] = checkpoint.Checkpoint;
            if (checkpoint.Checkpoint.Extensions.Any(StatusMap.StatusMapLine.IsStatusMapLine)) proven.StatusProven.Add(origin);
            var finality = _network.Finality(checkpoint);
            if (!finality.IsFinal) final = false;
            proven.Finality[origin] = finality;
            proven.CosignedAt[origin] = NewestCosignature(checkpoint, finality);
        }
        proven.Final = final;

        // 2. Entries: proven into their checkpoint, decoded canonically.
        var decoded = proven.Entries;
        // Leaf hashes by position: computed once for the proofs, reused for references (and for spotting repeats).
        var leafHashes = proven.LeafHashes;
        foreach (var e in bundle.Entries)
        {
            if (!roots.TryGetValue(e.Origin, out var cp)) return $"entry {e.Origin}#{e.Index} has no checkpoint in the bundle";
            if (e.TreeSize != cp.Size) return $"entry {e.Origin}#{e.Index} is proven to size {e.TreeSize}, the checkpoint is size {cp.Size}";
            // Standard base64 with padding, canonical (evidence-bundle.md): the decoder's leniency (white space, stray
            // padding bits) would let many texts stand for one bundle.
            if (!Notes.NoteSyntax.TryDecodeBase64(e.Leaf, out var leaf)) return $"entry {e.Origin}#{e.Index}: leaf is not canonical standard base64";
            var proof = new List<byte[]>(e.InclusionProof.Count);
            for (var i = 0; i < e.InclusionProof.Count; i++)
            {
                if (!Notes.NoteSyntax.TryDecodeBase64(e.InclusionProof[i], out var hash)) return $"entry {e.Origin}#{e.Index}: inclusion proof hash {i} is not canonical standard base64";
                proof.Add(hash);
            }
            var leafHash = MerkleHash.LeafHash(leaf);
            if (!MerkleProofVerifier.TryVerifyInclusion(e.Index, e.TreeSize, leafHash.AsSpan(), proof, cp.Root.AsSpan(), out var proofError))
                return $"entry {e.Origin}#{e.Index}: inclusion proof does not verify: {proofError}";
            if (!LeafReader.TryRead(leaf, out var read, out var readError)) return $"entry {e.Origin}#{e.Index}: {readError}";
            if (read!.Entry.Origin != e.Origin) return $"entry {e.Origin}#{e.Index} names origin '{read.Entry.Origin}'";
            if (EntryKinds.Find(read.Entry.Kind) is not { } kind) return $"entry {e.Origin}#{e.Index} is of kind '{read.Entry.Kind}', which the standard does not have";
            if (kind.TryDecode(read.Entry.Body, out var bodyError) is null) return $"entry {e.Origin}#{e.Index}: its {kind.Name} body does not decode: {bodyError}";
            if (!leafHashes.TryAdd((e.Origin, e.Index), leafHash)) return $"entry {e.Origin}#{e.Index} appears twice";
            decoded.Add((e, read));
        }
        decoded.Sort((a, b) =>
        {
            var byOrigin = string.CompareOrdinal(a.Entry.Origin, b.Entry.Origin);
            return byOrigin != 0 ? byOrigin : a.Entry.Index.CompareTo(b.Entry.Index);
        });

        // 3. Signatures: issuer registrations by the city root; everything else by the key its issuer registered in
        // the same log (issuer ids are per log).
        var issuerKeys = proven.IssuerKeys;
        var revokedAt = new Dictionary<(string Origin, string IssuerId), ulong>();
        var registeredAt = new Dictionary<(string Origin, string IssuerId), ulong>();
        foreach (var (e, read) in decoded)
        {
            if (!IsRootWritten(read.Entry)) continue;
            if (!RootSigned(_network.ByOrigin(e.Origin)!, read, out var rootError)) return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind}): not signed by the city root: {rootError}";
            if (read.Entry.Kind == EntryKinds.IssuerRegister)
            {
                var reg = EntryKinds.Of<IssuerRegistered>().Decode(read.Entry.Body);
                var origin = e.Origin;
                if (IssuerRegistrationRule.Check(_network.ByOrigin(origin)!, reg, id => issuerKeys.ContainsKey((origin, id)), keyId => KeyOwner(issuerKeys, origin, keyId), out var issuerKey) is { } refused)
                    return $"entry {e.Origin}#{e.Index} registers issuer '{reg.IssuerId}' {refused}";
                issuerKeys[(e.Origin, reg.IssuerId)] = issuerKey!;
                registeredAt[(e.Origin, reg.IssuerId)] = e.Index;
                proven.Issuers[(e.Origin, reg.IssuerId)] = reg;
            }
            else if (read.Entry.Kind == EntryKinds.IssuerRevoke) revokedAt[(e.Origin, EntryKinds.Of<IssuerRevoked>().Decode(read.Entry.Body).IssuerId)] = e.Index;
        }
        foreach (var (e, read) in decoded)
        {
            if (IsRootWritten(read.Entry)) continue;
            if (!issuerKeys.TryGetValue((e.Origin, read.Entry.IssuerId), out var key)) return $"entry {e.Origin}#{e.Index}: the bundle has no registration of issuer '{read.Entry.IssuerId}' in {e.Origin}";
            if (!SignedEntryVerifier.Verify(read.Signed, key, out var sigError)) return $"entry {e.Origin}#{e.Index}: {sigError}";
            // The node admits an issuer's entries only after its registration, and none after its revocation.
            if (registeredAt.TryGetValue((e.Origin, read.Entry.IssuerId), out var registered) && e.Index < registered)
                return $"entry {e.Origin}#{e.Index} is signed by issuer '{read.Entry.IssuerId}', registered only at index {registered}";
            if (revokedAt.TryGetValue((e.Origin, read.Entry.IssuerId), out var revoked) && e.Index > revoked)
                return $"entry {e.Origin}#{e.Index} is signed by issuer '{read.Entry.IssuerId}', revoked at index {revoked}";
        }
        return null;
    }

    // The issuer a key is registered to by the bundle's entries of the log origin, or null.
    private static string? KeyOwner(Dictionary<(string Origin, string IssuerId), PublicKey> registered, string origin, KeyId key)
    {
        foreach (var ((keyOrigin, issuerId), registeredKey) in registered)
        {
            if (keyOrigin == origin && registeredKey.Id == key) return issuerId;
        }
        return null;
    }

    /// <summary>
    /// When the checkpoint was last vouched for: among the cosignatures that count for finality (other members'
    /// witnesses, each witness's newest), the newest that the threshold of witnesses reach — the threshold-th newest —
    /// so that one witness's timestamp, wrong or set in the future, cannot make old evidence look fresh on its own.
    /// The newest of them when there are fewer than the threshold (the checkpoint is not final); null when none.
    /// </summary>
    internal static DateTimeOffset? NewestCosignature(Notes.CheckpointVerification verified, Notes.FinalityResult finality)
    {
        var newestByWitness = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var signature in verified.Signatures!.Verified)
        {
            if (signature.Timestamp is not { } time || !finality.Cosigners.Any(k => k.Equals(signature.Key))) continue;
            if (!newestByWitness.TryGetValue(signature.Key.Name, out var known) || time > known) newestByWitness[signature.Key.Name] = time;
        }
        if (newestByWitness.Count == 0) return null;
        var times = newestByWitness.Values.OrderDescending().ToList();
        var seconds = times[Math.Clamp(finality.Threshold, 1, times.Count) - 1];
        return seconds <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.FromUnixTimeSeconds((long)seconds) : null;
    }

    /// <summary>
    /// The current-state check, run after <see cref="Prove"/> and the verdict (docs/status-map.md, "In evidence
    /// bundles"): every record the bundle shows a state of, in a log whose checkpoint has a status-map line, must be
    /// proven by the map to have that state as its latest one; else entries were left out (a trimmed bundle). Each status proof verifies against its
    /// origin's checkpoint, and for every (origin, record) whose state the bundle's entries set, where that checkpoint
    /// carries a status-map line, a proof shows the leaf hash of the bundle's latest such entry. Null when all hold.
    /// </summary>
    internal static string? CheckStatusProofs(EvidenceBundle bundle, ProvenBundle proven)
    {
        var checkpoints = proven.Checkpoints;
        var provenStates = new Dictionary<(string Origin, string RecordId), Hash256?>();
        for (var i = 0; i < bundle.StatusProofs.Count; i++)
        {
            if (!BundleStatusProof.TryRead(bundle.StatusProofs[i], out var proof, out var readError)) return $"statusProofs[{i}]: {readError}";
            if (!checkpoints.TryGetValue(proof.Origin, out var checkpoint)) return $"statusProofs[{i}] is for {proof.Origin}, which has no checkpoint in the bundle";
            if (!proof.TryVerify(checkpoint, out var value, out var proofError)) return $"statusProofs[{i}]: {proofError}";
            if (!provenStates.TryAdd((proof.Origin, proof.RecordId), value)) return $"statusProofs[{i}]: a second status proof for '{proof.RecordId}' in {proof.Origin}";
        }
        // The latest state entry of each record, per log (entries are sorted by origin, then index). One record id names
        // one kind of record in a log (the map's key is the id alone): entries of two kinds under one id are refused, or
        // another record's entry could stand as the latest state of the subject.
        var latest = new Dictionary<(string Origin, string RecordId), (ulong Index, Hash256 LeafHash, string Kind)>();
        foreach (var (e, read) in proven.Entries)
        {
            if (!StatusMap.StatusMapRecords.SetsState(read.Entry.Kind)) continue;
            var key = (e.Origin, read.Entry.RecordId);
            var kind = StatusMap.StatusMapRecords.RecordKindOf(read.Entry.Kind) ?? read.Entry.Kind;
            if (latest.TryGetValue(key, out var earlier) && earlier.Kind != kind)
                return $"'{read.Entry.RecordId}' names a {earlier.Kind} and a {kind} record in {e.Origin} ({e.Origin}#{e.Index}): a record id names one record";
            latest[key] = (e.Index, proven.LeafHashes[(e.Origin, e.Index)], kind);
        }
        // The subject itself, in every log whose checkpoint has a status map, even where the bundle shows no entry under
        // its id (a license accepted under a new id: its accept entry names the old one): a later state the bundle leaves
        // out would otherwise go unnoticed.
        foreach (var (origin, checkpoint) in checkpoints)
        {
            if (bundle.Subject.Length == 0 || latest.ContainsKey((origin, bundle.Subject)) || !checkpoint.Extensions.Any(StatusMap.StatusMapLine.IsStatusMapLine)) continue;
            if (!provenStates.TryGetValue((origin, bundle.Subject), out var state))
                return $"the bundle has no status proof for its subject '{bundle.Subject}' in {origin}, whose checkpoint (size {checkpoint.Size}) has a status map";
            if (state is not null)
                return $"the status map of {origin} at size {checkpoint.Size} proves a state of '{bundle.Subject}' that the bundle does not show: the bundle leaves out a later entry (e.g. a suspension); ask a node for current evidence";
        }
        foreach (var ((origin, recordId), (index, leafHash, _)) in latest)
        {
            var checkpoint = checkpoints[origin];
            if (!checkpoint.Extensions.Any(StatusMap.StatusMapLine.IsStatusMapLine)) continue;
            if (!provenStates.TryGetValue((origin, recordId), out var value))
                return $"the bundle has no status proof for '{recordId}' in {origin}, whose checkpoint (size {checkpoint.Size}) has a status map: nothing shows that {origin}#{index} is its latest state";
            if (value != leafHash)
            {
                return value is null
                    ? $"the status map of {origin} at size {checkpoint.Size} proves that '{recordId}' has no state there, but the bundle shows {origin}#{index}"
                    : $"the status map of {origin} at size {checkpoint.Size} proves that the latest state entry of '{recordId}' is not {origin}#{index}, the latest the bundle shows: "
                      + "the bundle leaves out a later entry (e.g. a revocation); ask a node for current evidence";
            }
        }
        return null;
    }

    /// <summary>A license's verdict recomputed from its proven entries.</summary>
    private EvidenceResult Recompute(EvidenceBundle bundle, DateOnly today, ProvenBundle proven)
    {
        var (roots, final, decoded, leafHashes) = (proven.Roots, proven.Final, proven.Entries, proven.LeafHashes);
        // 4. The verdict, recomputed from the lifecycle entries about the subject. A license transferred in from another
        // city carries its history hop by hop (LicenseChain): each releasing log's entries from the issue or accept up to
        // the transfer the next accept references, and the holder's entries from its accept on.
        if (LicenseChain.Build(bundle.Subject, decoded, leafHashes, out var chain) is { } chainFailure) return Fail(chainFailure);
        var history = new LicenseHistory();
        foreach (var stretch in chain)
        {
            if (stretch.Accept is null) history.Apply(stretch.StartLeaf.Entry);
            else history.Accepted(stretch.StartLeaf.Entry);
            foreach (var (_, read) in stretch.Entries) history.Apply(read.Entry);
        }
        var holder = chain[^1];
        var verdictOrigin = holder.Origin;
        var issuerId = holder.StartLeaf.Entry.IssuerId;
        var licenseEntry = new EntryReference { Origin = holder.Origin, Index = holder.Start.Index, LeafHash = leafHashes[(holder.Origin, holder.Start.Index)].ToArray(), Relation = Relations.License };
        if (history.Issued is null) return Fail($"the bundle has no license.issue entry for '{bundle.Subject}'");
        if (LicenseActors.Check(decoded, _network, history.Issued.TypeCode, chain, out var actors) is { } actorFailure) return Fail(actorFailure);
        // A date the verdict rules cannot read would count as no limit (the node refuses such an entry; a bundle must not pass one).
        if ((LicenseDates.ValidateOptional(history.Issued.ValidFrom, "validFrom") ?? LicenseDates.ValidateOptional(history.ValidUntil, "validUntil")) is { } badDate)
            return Fail($"the license's {badDate.Message}");
        if (bundle.Verdict.AsOf.Origin != verdictOrigin || !roots.TryGetValue(verdictOrigin, out var asOf) || bundle.Verdict.AsOf.Size != asOf.Size)
            return Fail($"the verdict is stated as of {bundle.Verdict.AsOf.Origin} size {bundle.Verdict.AsOf.Size}, but the license's log is {verdictOrigin}" + (roots.TryGetValue(verdictOrigin, out var cpOf) ? $" with checkpoint size {cpOf.Size}" : ""));
        // The stated verdict is the node's as of its checkpoint, on the day it made the bundle: judged on that day, so an
        // authentic bundle stays authentic after the license expires; the verdict for the caller's day is reported apart.
        var asOfDay = LicenseVerdictRules.DayOf(bundle.CreatedAt);
        var asOfVerdict = LicenseVerdictRules.Evaluate(history.Lifecycle, history.Issued.ValidFrom, history.ValidUntil, asOfDay);
        var stated = bundle.Verdict.Status;
        if (stated != LicenseVerdictRules.Name(asOfVerdict))
            return new EvidenceResult(false, asOfVerdict, $"the bundle states {stated}, its entries give {LicenseVerdictRules.Name(asOfVerdict)} as of its day {asOfDay:yyyy-MM-dd}", final);
        var verdict = LicenseVerdictRules.Evaluate(history.Lifecycle, history.Issued.ValidFrom, history.ValidUntil, today);
        return new EvidenceResult(true, verdict, null, final)
        {
            Day = today,
            AsOfDay = asOfDay,
            AsOfVerdict = asOfVerdict,
            Subject = bundle.Subject,
            License = history.Issued,
            ValidUntil = history.ValidUntil,
            Origin = verdictOrigin,
            IssuerId = issuerId,
            DocumentDigests = history.DocumentDigests,
            IssuerKey = proven.IssuerKeys.GetValueOrDefault((verdictOrigin, issuerId)),
            History = history.Applied,
            LicenseEntry = licenseEntry,
            ActedBy = actors?.ActedBy ?? issuerId,
            ActedByCityRoot = actors?.ByCityRoot ?? false,
            ActedUnder = actors?.Under ?? [],
            Hops = LicenseChain.Hops(chain),
        };
    }

    /// <summary>
    /// Whether the city root wrote the entry (checked against the member's root key): its own kinds, and a last-resort
    /// <c>license.status</c> under its issuer id.
    /// </summary>
    private bool IsRootWritten(Entry entry) =>
        EntryKinds.IsRootKind(entry.Kind)
        || (EntryKinds.MayBeWrittenByRoot(entry.Kind) && _network.ByOrigin(entry.Origin) is { } member && entry.IssuerId == member.RootIssuerId);

    /// <summary>A license's lifecycle replayed from its entries, in log order.</summary>
    private sealed class LicenseHistory
    {
        public LicenseIssued? Issued { get; private set; }

        public LicenseVerdictRules.Lifecycle Lifecycle { get; private set; } = LicenseVerdictRules.Lifecycle.Active;

        public string ValidUntil { get; private set; } = "";

        public List<byte[]> DocumentDigests { get; } = [];

        /// <summary>The entries replayed, in order (the accept included, for a license transferred in).</summary>
        public List<Entry> Applied { get; } = [];

        public void Apply(Entry entry)
        {
            Applied.Add(entry);
            switch (entry.Kind)
            {
                case EntryKinds.LicenseIssue:
                    Issued = EntryKinds.Of<LicenseIssued>().Decode(entry.Body);
                    ValidUntil = Issued.ValidUntil;
                    DocumentDigests.Add(Issued.DocumentDigest);
                    break;
                case EntryKinds.LicenseChange:
                    var change = EntryKinds.Of<LicenseChanged>().Decode(entry.Body);
                    if (change.NewValidUntil.Length > 0) ValidUntil = change.NewValidUntil;
                    if (change.NewDocumentDigest.Length > 0) DocumentDigests.Add(change.NewDocumentDigest);
                    break;
                case EntryKinds.LicenseStatus:
                    Lifecycle = EntryKinds.Of<LicenseStatusChanged>().Decode(entry.Body).Action switch
                    {
                        LicenseStatusAction.Suspend => LicenseVerdictRules.Lifecycle.Suspended,
                        LicenseStatusAction.Revoke => LicenseVerdictRules.Lifecycle.Revoked,
                        _ => LicenseVerdictRules.Lifecycle.Active,
                    };
                    break;
                case EntryKinds.LicenseTransfer:
                    Lifecycle = LicenseVerdictRules.Lifecycle.Transferred;
                    break;
            }
        }

        /// <summary>The receiving city accepted the transfer: the license is in force again there.</summary>
        public void Accepted(Entry accept)
        {
            Applied.Add(accept);
            Lifecycle = LicenseVerdictRules.Lifecycle.Active;
        }
    }

    private static EvidenceResult Fail(string reason) => new(false, LicenseVerdict.Unspecified, reason, false);
}

/// <summary>A bundle's checkpoints, entries and issuer keys after <see cref="EvidenceVerifier.Prove"/>: what every kind of subject builds on.</summary>
internal sealed class ProvenBundle
{
    /// <summary>Size and root of each origin's verified checkpoint.</summary>
    public Dictionary<string, (ulong Size, Hash256 Root)> Roots { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether every checkpoint is final.</summary>
    public bool Final { get; set; }

    /// <summary>Each origin's checkpoint finality (cosignatures counted against the network's witness threshold).</summary>
    public Dictionary<string, Notes.FinalityResult> Finality { get; } = new(StringComparer.Ordinal);

    /// <summary>The newest counted cosignature time of each origin's checkpoint (null: none).</summary>
    public Dictionary<string, DateTimeOffset?> CosignedAt { get; } = new(StringComparer.Ordinal);

    /// <summary>Each origin's verified checkpoint.</summary>
    public Dictionary<string, Notes.Checkpoint> Checkpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>The origins whose checkpoint carries a status-map line.</summary>
    public HashSet<string> StatusProven { get; } = new(StringComparer.Ordinal);

    /// <summary>The entries, proven and decoded, by origin then index.</summary>
    public List<(BundleEntry Entry, DecodedLeaf Leaf)> Entries { get; } = [];

    /// <summary>Each entry's leaf hash by position.</summary>
    public Dictionary<(string Origin, ulong Index), Hash256> LeafHashes { get; } = [];

    /// <summary>Each issuer's key as its city root registered it in the bundle.</summary>
    public Dictionary<(string Origin, string IssuerId), PublicKey> IssuerKeys { get; } = [];

    /// <summary>Each issuer's registration as the bundle holds it (root-signed, verified).</summary>
    public Dictionary<(string Origin, string IssuerId), IssuerRegistered> Issuers { get; } = [];
}
