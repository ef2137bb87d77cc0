namespace Huren.Sdk.Notes;

/// <summary>
/// Decides whether a checkpoint is final (checkpoints.md): it carries the origin's valid Ed25519 signature and valid
/// <c>cosignature/v1</c> cosignatures from at least the witness threshold of distinct other members. C2SP rules apply:
/// lines of unknown keys are ignored, and a failing signature of any key given here (log or witness) makes the note
/// invalid and so not final.
/// </summary>
public static class FinalityCheck
{
    /// <summary>Evaluates <paramref name="note"/>.</summary>
    /// <param name="note">The signed checkpoint.</param>
    /// <param name="logKey">The origin's Ed25519 log key (its name is the origin).</param>
    /// <param name="witnessKeys">
    /// The type 0x04 witness keys of the other members (retired keys may be included). Members are counted by key name,
    /// so two keys of one member count once; a key named after the origin itself or <c>&lt;origin&gt;/witness</c> never
    /// counts (a member does not witness its own log).
    /// </param>
    /// <param name="threshold">How many distinct cosigning members make the checkpoint final (≥ 0).</param>
    /// <param name="notAfter">If given, cosignatures timestamped later than this (e.g. now plus allowed clock skew) do not count.</param>
    /// <exception cref="ArgumentException">A key of the wrong type, or ambiguous keys.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative threshold.</exception>
    public static FinalityResult Evaluate(SignedNote note, NoteVerifierKey logKey, IEnumerable<NoteVerifierKey> witnessKeys, int threshold, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(witnessKeys);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var verifier = new CheckpointVerifier(logKey);
        var origin = verifier.Origin;
        var ownWitness = CosignatureSigner.WitnessNameFor(origin);
        var reasons = new List<string>();
        var witnesses = new List<NoteVerifierKey>();
        foreach (var key in witnessKeys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(witnessKeys));
            if (key.Type != NoteSignatureType.CosignatureV1)
                throw new ArgumentException($"witness key {key.Name}+{key.KeyIdHex} is type 0x{(byte)key.Type:x2}, expected 0x04", nameof(witnessKeys));
            if (string.Equals(key.Name, origin, StringComparison.Ordinal) || string.Equals(key.Name, ownWitness, StringComparison.Ordinal))
            {
                reasons.Add($"witness key {key.Name}+{key.KeyIdHex} is the origin's own and does not count");
                continue;
            }
            witnesses.Add(key);
        }

        var result = verifier.Verify(note, witnesses);
        var evaluated = Evaluate(result, threshold, notAfter);
        reasons.AddRange(evaluated.Reasons);
        return new FinalityResult(evaluated.IsFinal, threshold, evaluated.Cosigners, reasons, evaluated.Checkpoint);
    }

    /// <summary>
    /// Evaluates a note already checked by a <see cref="CheckpointVerifier"/> that knows the witness keys (e.g. one from
    /// <see cref="Network.TrustedMember.CheckpointVerifier"/>): a rejected note is never final; otherwise its verified cosignatures
    /// from distinct members other than the origin are counted against <paramref name="threshold"/>.
    /// </summary>
    /// <param name="verification">The verifier's outcome.</param>
    /// <param name="threshold">How many distinct cosigning members make the checkpoint final (≥ 0).</param>
    /// <param name="notAfter">If given, cosignatures timestamped later than this do not count.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative threshold.</exception>
    public static FinalityResult Evaluate(CheckpointVerification verification, int threshold, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(verification);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var reasons = new List<string>();
        if (!verification.IsValid)
        {
            reasons.Add(verification.Failure);
            return new FinalityResult(false, threshold, [], reasons, null);
        }
        var origin = verification.Checkpoint.Origin;
        var ownWitness = CosignatureSigner.WitnessNameFor(origin);
        var cosigners = new List<NoteVerifierKey>();
        var cutoff = notAfter?.ToUnixTimeSeconds();
        foreach (var verified in verification.Signatures.Verified)
        {
            if (verified.Key.Type != NoteSignatureType.CosignatureV1) continue;
            // A member does not witness its own log.
            if (string.Equals(verified.Key.Name, origin, StringComparison.Ordinal) || string.Equals(verified.Key.Name, ownWitness, StringComparison.Ordinal)) continue;
            if (cutoff is { } limit && verified.Timestamp is { } time && (limit < 0 || time > (ulong)limit))
            {
                reasons.Add($"cosignature of {verified.Key.Name} is timestamped {time}, after {limit}, and does not count");
                continue;
            }
            if (ContainsName(cosigners, verified.Key.Name)) continue;
            cosigners.Add(verified.Key);
        }
        var final = cosigners.Count >= threshold;
        if (!final) reasons.Add($"{cosigners.Count} valid cosignature(s) from distinct other members, threshold {threshold}");
        return new FinalityResult(final, threshold, cosigners, reasons, verification.Checkpoint);
    }

    private static bool ContainsName(List<NoteVerifierKey> keys, string name)
    {
        foreach (var key in keys)
        {
            if (string.Equals(key.Name, name, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}

/// <summary>The outcome of <see cref="FinalityCheck.Evaluate(CheckpointVerification, int, DateTimeOffset?)"/>.</summary>
public sealed class FinalityResult
{
    internal FinalityResult(bool isFinal, int threshold, IReadOnlyList<NoteVerifierKey> cosigners, IReadOnlyList<string> reasons, Checkpoint? checkpoint)
    {
        IsFinal = isFinal;
        Threshold = threshold;
        Cosigners = cosigners;
        Reasons = reasons;
        Checkpoint = checkpoint;
    }

    /// <summary>Whether the checkpoint is final.</summary>
    public bool IsFinal { get; }

    /// <summary>The number of distinct other members whose cosignatures verified and count.</summary>
    public int ValidCosignatures => Cosigners.Count;

    /// <summary>The threshold that was applied.</summary>
    public int Threshold { get; }

    /// <summary>The witness keys whose cosignatures count, one per member.</summary>
    public IReadOnlyList<NoteVerifierKey> Cosigners { get; }

    /// <summary>
    /// Why the checkpoint is not final, and notes on keys or cosignatures that did not count (may be non-empty even when
    /// final).
    /// </summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The checkpoint, when its note verified under the log key.</summary>
    public Checkpoint? Checkpoint { get; }
}
