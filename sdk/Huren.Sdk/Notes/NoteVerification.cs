using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Notes;

/// <summary>The outcome of <see cref="SignedNote.Verify(IEnumerable{NoteVerifierKey}, IEnumerable{NoteVerifierKey})"/>.</summary>
public sealed class NoteVerification
{
    internal NoteVerification(SignedNote note, string? failure, IReadOnlyList<VerifiedNoteSignature> verified, IReadOnlyList<NoteSignature> ignored)
    {
        Note = note;
        Failure = failure;
        Verified = verified;
        Ignored = ignored;
    }

    /// <summary>The note that was verified.</summary>
    public SignedNote Note { get; }

    /// <summary>Whether the note is accepted. When false, its text must not be trusted.</summary>
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Failure is null;

    /// <summary>Why the note is rejected, or null.</summary>
    public string? Failure { get; }

    /// <summary>
    /// The known keys whose signatures verified, each once, in note order. When the note is rejected this holds what had
    /// verified before the failure and is for diagnostics only.
    /// </summary>
    public IReadOnlyList<VerifiedNoteSignature> Verified { get; }

    /// <summary>Lines from unknown keys, ignored as C2SP requires.</summary>
    public IReadOnlyList<NoteSignature> Ignored { get; }

    /// <summary>Whether the note is valid and <paramref name="key"/> verified it.</summary>
    public bool IsVerifiedBy(NoteVerifierKey key)
    {
        if (!IsValid || key is null) return false;
        foreach (var v in Verified)
        {
            if (v.Key.Equals(key)) return true;
        }
        return false;
    }
}

/// <summary>A signature line that verified under a known key.</summary>
public sealed class VerifiedNoteSignature
{
    internal VerifiedNoteSignature(NoteVerifierKey key, NoteSignature signature, ulong? timestamp)
    {
        Key = key;
        Signature = signature;
        Timestamp = timestamp;
    }

    /// <summary>The known key.</summary>
    public NoteVerifierKey Key { get; }

    /// <summary>The line (the first of that key's lines that verified).</summary>
    public NoteSignature Signature { get; }

    /// <summary>For a cosignature, the POSIX timestamp it carries; otherwise null.</summary>
    public ulong? Timestamp { get; }
}
