using System.Text.Json.Serialization;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Cli.Commands.Audit;

/// <summary>
/// Re-verifies a whole log as it streams in, trusting nothing the node says: every entry's schema, signer and
/// signature (city root for issuer entries and its last-resort license.status entries, with a retired root key only
/// for entries dated within its end; the registered, unrevoked issuer key otherwise; registrations by the node's rules,
/// <see cref="IssuerRegistrationRule"/>), the Merkle root at every
/// checkpoint against the checkpoint's signed root, every checkpoint's log (and SM2) signature, and every cosignature
/// line of a member witness, and every receipt against the share entry it references in the provider's log (collected in
/// <see cref="Receipts"/>, checked with <see cref="CheckReceipt"/>). Faults are collected, not thrown, so the report lists them all.
/// </summary>
internal sealed class LogAudit
{
    private const int MaxFaults = 100;

    private readonly TrustedMember _member;
    private readonly CheckpointVerifier _checkpoints;
    private readonly TrustedNetwork _network;
    private readonly MerkleFrontier _frontier = new();
    // Roots of the sizes since the last checked checkpoint (_roots[i] is the root at size _firstRootSize + i), so a
    // checkpoint that lags the entries already received can still be compared, without keeping a root per entry of
    // the whole log (checkpoints of a followed log never go back in size).
    private readonly List<Hash256> _roots = [];
    private ulong _firstRootSize = 1;
    private readonly Dictionary<string, (PublicKey Key, ulong? RevokedAt)> _issuers = new(StringComparer.Ordinal);
    private readonly Dictionary<KeyId, string> _keyOwners = [];

    public LogAudit(TrustedNetwork network, TrustedMember member)
    {
        _member = member;
        // Every line of a key the configuration gives (log, SM2, witnesses) must verify, or the checkpoint is a fault.
        _checkpoints = member.CheckpointVerifier;
        _network = network;
    }

    public LogAuditReport Report { get; } = new();

    /// <summary>The number of entries checked so far (the next expected index).</summary>
    public ulong Size => _frontier.Size;

    /// <summary>Checks the next entry of the log.</summary>
    public void AddEntry(ulong index, byte[] leaf)
    {
        if (index != _frontier.Size)
        {
            Fault($"entry {index}: expected index {_frontier.Size} (a gap or a repeat)");
            return;
        }
        _frontier.Append(MerkleHash.LeafHash(leaf));
        _roots.Add(_frontier.Root());
        Report.Entries++;
        if (!LeafReader.TryRead(leaf, out var decoded, out var readError))
        {
            Fault($"entry {index}: {readError}");
            return;
        }
        var entry = decoded!.Entry;
        Report.CountKind(entry.Kind);
        if (entry.Origin != _member.Origin) Fault($"entry {index}: origin '{entry.Origin}' is not {_member.Origin}");
        var validation = EntryValidator.Validate(entry);
        if (!validation.IsValid) Fault($"entry {index} ({entry.Kind}): {validation}");
        CheckSigner(index, decoded);
        if (entry.Kind == EntryKinds.Receipt) ClaimShare(index, entry);
    }

    /// <summary>
    /// The receipts of the log, each with the share entry it references, to check with <see cref="CheckReceipt"/> once
    /// that entry is read (from the provider's log, which may be this one).
    /// </summary>
    public List<ReceiptClaim> Receipts { get; } = [];

    private void ClaimShare(ulong index, Entry entry)
    {
        if (!CanonicalCodec.TryDecode<DataReceived>(entry.Body, out var body, out _)) return; // the schema fault is reported already
        foreach (var reference in entry.References)
        {
            if (reference.Relation != Relations.Share) continue;
            if (reference.Origin != body!.ProviderOrigin)
            {
                Fault($"entry {index} (receipt): its share reference names {reference.Origin}, not the provider's log {body.ProviderOrigin}");
                return;
            }
            Receipts.Add(new ReceiptClaim(index, body, reference));
            return;
        }
        Fault($"entry {index} (receipt): it references no share entry (relation '{Relations.Share}')");
    }

    /// <summary>
    /// Checks a receipt against the share entry it references (<see cref="ReceiptRule"/>), as read from the provider's
    /// log; a null <paramref name="share"/> is a fault too: <paramref name="problem"/> says why it could not be read.
    /// </summary>
    public void CheckReceipt(ReceiptClaim claim, Entry? share, string? problem)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (share is null)
        {
            Fault($"entry {claim.Index} (receipt of share {claim.Body.ShareId}): the share it references cannot be checked: {problem}");
            return;
        }
        if (ReceiptRule.Check(share, claim.Share.Index, claim.Body, _member.Origin) is { } mismatch)
        {
            Fault($"entry {claim.Index} (receipt): {mismatch.Message}");
            return;
        }
        Report.ReceiptsChecked++;
    }

    private void CheckSigner(ulong index, DecodedLeaf decoded)
    {
        var entry = decoded.Entry;
        if (EntryKinds.IsRootKind(entry.Kind) || (EntryKinds.MayBeWrittenByRoot(entry.Kind) && entry.IssuerId == _member.RootIssuerId))
        {
            // Written by the city root under its own id, as the node requires; another id would stand for nobody.
            if (entry.IssuerId != _member.RootIssuerId)
            {
                Fault($"entry {index} ({entry.Kind}): written under issuer id '{entry.IssuerId}', but only the city root writes it, under '{_member.RootIssuerId}'");
                return;
            }
            // The root key of the configuration, or a retired one for entries dated within its end (a rotated root).
            if (!_member.IsRootSigned(decoded.Signed, entry.TimeUnixMs, out var rootError))
            {
                Fault($"entry {index} ({entry.Kind}): not signed by a city root key in force at its time: {rootError}");
                return;
            }
            Report.SignaturesVerified++;
            if (entry.Kind == EntryKinds.IssuerRegister && CanonicalCodec.TryDecode<IssuerRegistered>(entry.Body, out var registered, out _))
            {
                // The node refuses such a registration, so it gives no key: a second one must not bring a revoked issuer back.
                if (IssuerRegistrationRule.Check(_member, registered!, _issuers.ContainsKey, _keyOwners.GetValueOrDefault, out var key) is { } refused)
                {
                    Fault($"entry {index} ({entry.Kind}): registers issuer '{registered!.IssuerId}' {refused}");
                    return;
                }
                _issuers[registered!.IssuerId] = (key!, null);
                _keyOwners[key!.Id] = registered.IssuerId;
            }
            else if (entry.Kind == EntryKinds.IssuerRevoke && CanonicalCodec.TryDecode<IssuerRevoked>(entry.Body, out var revoked, out _)
                && _issuers.TryGetValue(revoked!.IssuerId, out var known))
            {
                _issuers[revoked.IssuerId] = (known.Key, index);
            }
            return;
        }
        if (!_issuers.TryGetValue(entry.IssuerId, out var issuer))
        {
            Fault($"entry {index} ({entry.Kind}): issuer '{entry.IssuerId}' was not registered before it");
            return;
        }
        if (issuer.RevokedAt is { } revokedAt) Fault($"entry {index} ({entry.Kind}): issuer '{entry.IssuerId}' was revoked at index {revokedAt}");
        if (!SignedEntryVerifier.Verify(decoded.Signed, issuer.Key, out var error)) Fault($"entry {index} ({entry.Kind}): {error}");
        else Report.SignaturesVerified++;
    }

    /// <summary>Verifies a checkpoint's signature lines (log, SM2, witnesses) only.</summary>
    public CheckpointVerification VerifyCheckpoint(string note) => _checkpoints.Verify(note);

    /// <summary>Checks a signed checkpoint against the entries received so far.</summary>
    public void AddCheckpoint(string note)
    {
        Report.Checkpoints++;
        var verification = _checkpoints.Verify(note);
        if (!verification.IsValid)
        {
            Fault($"checkpoint: {verification.Failure}");
            return;
        }
        var checkpoint = verification.Checkpoint!;
        if (checkpoint.Size > _frontier.Size)
        {
            Fault($"checkpoint of size {checkpoint.Size} arrived before its entries (have {_frontier.Size})");
            return;
        }
        if (checkpoint.Size != 0 && checkpoint.Size < _firstRootSize)
        {
            Fault($"checkpoint of size {checkpoint.Size} came after one of size {_firstRootSize}: a followed log's checkpoints never go back");
            return;
        }
        var root = checkpoint.Size == 0 ? MerkleHash.EmptyRoot : _roots[(int)(checkpoint.Size - _firstRootSize)];
        if (checkpoint.Size > _firstRootSize)
        {
            _roots.RemoveRange(0, (int)(checkpoint.Size - _firstRootSize));
            _firstRootSize = checkpoint.Size;
        }
        if (!root.AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            Fault($"checkpoint of size {checkpoint.Size}: its root {Convert.ToHexStringLower(checkpoint.RootHash)} is not the root of the entries ({Convert.ToHexStringLower(root.AsSpan())})");
        }
        Report.LatestCheckpointSize = Math.Max(Report.LatestCheckpointSize, checkpoint.Size);
        foreach (var verified in verification.Signatures.Verified)
        {
            if (verified.Key.Type == NoteSignatureType.CosignatureV1) Report.CosignaturesVerified++;
        }
        if (_network.WitnessThreshold > 0 && _network.Finality(verification).IsFinal) Report.FinalCheckpoints++;
    }

    private void Fault(string fault)
    {
        Report.FaultCount++;
        if (Report.Faults.Count < MaxFaults) Report.Faults.Add(fault);
    }
}

/// <summary>What an audit found (printed as text or JSON).</summary>
internal sealed class LogAuditReport
{
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    [JsonPropertyName("node")] public string Node { get; set; } = "";

    [JsonPropertyName("entries")] public ulong Entries { get; set; }

    [JsonPropertyName("entriesByKind")] public SortedDictionary<string, ulong> EntriesByKind { get; } = new(StringComparer.Ordinal);

    [JsonPropertyName("signaturesVerified")] public ulong SignaturesVerified { get; set; }

    [JsonPropertyName("checkpoints")] public ulong Checkpoints { get; set; }

    [JsonPropertyName("finalCheckpoints")] public ulong FinalCheckpoints { get; set; }

    [JsonPropertyName("cosignaturesVerified")] public ulong CosignaturesVerified { get; set; }

    [JsonPropertyName("latestCheckpointSize")] public ulong LatestCheckpointSize { get; set; }

    [JsonPropertyName("receiptsChecked")] public ulong ReceiptsChecked { get; set; }

    [JsonPropertyName("faultCount")] public int FaultCount { get; set; }

    [JsonPropertyName("faults")] public List<string> Faults { get; } = [];

    [JsonPropertyName("ok")] public bool Ok => FaultCount == 0;

    public void CountKind(string kind) => EntriesByKind[kind] = EntriesByKind.GetValueOrDefault(kind) + 1;
}

/// <summary>A receipt of the audited log (at <paramref name="Index"/>) and the share entry it references.</summary>
internal sealed record ReceiptClaim(ulong Index, DataReceived Body, EntryReference Share);
