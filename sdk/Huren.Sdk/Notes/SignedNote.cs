using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Huren.Sdk.Notes;

/// <summary>
/// A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, one blank line, then one to
/// <see cref="MaxSignatures"/> signature lines. Parsing is strict: valid UTF-8, no ASCII control character but newline,
/// the text is split from the signatures at the last blank line, every line after it is a well-formed signature line,
/// and the text may not itself end in a blank line (so exactly one blank line separates the two). Immutable.
/// </summary>
public sealed class SignedNote
{
    /// <summary>Huren's limit on signature lines per note (C2SP requires accepting at least 16).</summary>
    public const int MaxSignatures = 32;

    private readonly byte[] _textUtf8;
    private readonly NoteSignature[] _signatures;

    private SignedNote(string text, byte[] textUtf8, NoteSignature[] signatures)
    {
        Text = text;
        _textUtf8 = textUtf8;
        _signatures = signatures;
    }

    /// <summary>The note text, final newline included, separating blank line excluded.</summary>
    public string Text { get; }

    /// <summary>The UTF-8 bytes of <see cref="Text"/>: the bytes every signature signs.</summary>
    public ReadOnlySpan<byte> TextUtf8 => _textUtf8;

    /// <summary>The signature lines in order.</summary>
    public IReadOnlyList<NoteSignature> Signatures => _signatures;

    /// <summary>Parses a signed note from its UTF-8 bytes.</summary>
    /// <exception cref="FormatException">Malformed; the message says which rule is broken.</exception>
    public static SignedNote Parse(ReadOnlySpan<byte> utf8)
        => TryParse(utf8, out var note, out var error) ? note : throw new FormatException(error);

    /// <summary>Parses a signed note.</summary>
    /// <exception cref="FormatException">Malformed; the message says which rule is broken.</exception>
    public static SignedNote Parse(string note)
        => TryParse(note, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Parses a signed note from its UTF-8 bytes without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out SignedNote? note, [NotNullWhen(false)] out string? error)
    {
        note = null;
        string text;
        try
        {
            text = NoteSyntax.StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            error = "note is not valid UTF-8";
            return false;
        }
        return TryParse(text, out note, out error);
    }

    /// <summary>Parses a signed note without throwing; <paramref name="error"/> says which rule is broken.</summary>
    public static bool TryParse([NotNullWhen(true)] string? note, [NotNullWhen(true)] out SignedNote? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (note is null)
        {
            error = "note is null";
            return false;
        }
        if (!NoteSyntax.IsWellFormedUtf16(note))
        {
            error = "note is not valid Unicode (unpaired surrogate)";
            return false;
        }
        var control = NoteSyntax.IndexOfForbiddenControl(note);
        if (control >= 0)
        {
            error = $"note contains the control character U+{(int)note[control]:X4} at {control}";
            return false;
        }
        if (!note.EndsWith('\n'))
        {
            error = "note does not end in a newline";
            return false;
        }
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            error = "note has no blank line before its signatures";
            return false;
        }
        var text = note[..(split + 1)];
        var block = note.AsSpan(split + 2);
        if (block.IsEmpty)
        {
            error = "note has no signature lines";
            return false;
        }
        if (!IsValidText(text, out error)) return false;

        var signatures = new List<NoteSignature>();
        foreach (var range in block[..^1].Split('\n'))
        {
            var line = block[range];
            if (signatures.Count == MaxSignatures)
            {
                error = $"note has more than {MaxSignatures} signature lines";
                return false;
            }
            if (!NoteSignature.TryParseLine(line, out var signature, out error)) return false;
            signatures.Add(signature);
        }
        parsed = new SignedNote(text, NoteSyntax.StrictUtf8.GetBytes(text), [.. signatures]);
        return true;
    }

    /// <summary>A note from a text and existing signature lines (e.g. collected from witnesses).</summary>
    /// <exception cref="ArgumentException">The text is not valid note text, there are no or too many signatures.</exception>
    public static SignedNote Create(string text, IEnumerable<NoteSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        if (!IsValidText(text, out var error)) throw new ArgumentException(error, nameof(text));
        var list = new List<NoteSignature>();
        foreach (var signature in signatures) AddOrReplace(list, signature ?? throw new ArgumentException("null signature", nameof(signatures)));
        if (list.Count == 0) throw new ArgumentException("a signed note has at least one signature", nameof(signatures));
        if (list.Count > MaxSignatures) throw new ArgumentException($"a signed note has at most {MaxSignatures} signatures", nameof(signatures));
        return new SignedNote(text, NoteSyntax.StrictUtf8.GetBytes(text), [.. list]);
    }

    /// <summary>Signs <paramref name="text"/> with each signer (types 0x01 and 0xff), in order.</summary>
    /// <exception cref="ArgumentException">Invalid text or no signer.</exception>
    /// <exception cref="InvalidOperationException">A cosigner key among the signers (cosignatures need a timestamp).</exception>
    public static SignedNote Sign(string text, params ReadOnlySpan<NoteSignerKey> signers)
    {
        if (!IsValidText(text, out var error)) throw new ArgumentException(error, nameof(text));
        if (signers.IsEmpty) throw new ArgumentException("at least one signer", nameof(signers));
        var bytes = NoteSyntax.StrictUtf8.GetBytes(text);
        var list = new List<NoteSignature>(signers.Length);
        foreach (var signer in signers) AddOrReplace(list, signer.Sign(bytes));
        if (list.Count > MaxSignatures) throw new ArgumentException($"a signed note has at most {MaxSignatures} signatures", nameof(signers));
        return new SignedNote(text, bytes, [.. list]);
    }

    /// <summary>Whether <paramref name="text"/> can be the text of a note; <paramref name="error"/> says why not.</summary>
    public static bool IsValidText([NotNullWhen(true)] string? text, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(text) || !text.EndsWith('\n'))
        {
            error = "note text does not end in a newline";
            return false;
        }
        if (text.Length == 1 || text[^2] == '\n')
        {
            error = "note text ends in an empty line (more than one blank line before the signatures)";
            return false;
        }
        var control = NoteSyntax.IndexOfForbiddenControl(text);
        if (control >= 0)
        {
            error = $"note text contains the control character U+{(int)text[control]:X4} at {control}";
            return false;
        }
        if (!NoteSyntax.IsWellFormedUtf16(text))
        {
            error = "note text is not valid Unicode (unpaired surrogate)";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Signs this note's text with <paramref name="signer"/> and adds the line (replacing one from the same key).</summary>
    /// <exception cref="InvalidOperationException">A cosigner key, or the note would exceed <see cref="MaxSignatures"/>.</exception>
    public SignedNote AddSignature(NoteSignerKey signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return WithSignature(signer.Sign(_textUtf8));
    }

    /// <summary>
    /// This note with <paramref name="signature"/> appended, or replacing the line of the same key name and ID. The line
    /// is not verified here.
    /// </summary>
    /// <exception cref="InvalidOperationException">The note would exceed <see cref="MaxSignatures"/>.</exception>
    public SignedNote WithSignature(NoteSignature signature) => WithSignatures([signature]);

    /// <summary>This note with each of <paramref name="signatures"/> appended or replacing a line of the same key.</summary>
    /// <exception cref="InvalidOperationException">The note would exceed <see cref="MaxSignatures"/>.</exception>
    public SignedNote WithSignatures(IEnumerable<NoteSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        var list = new List<NoteSignature>(_signatures);
        foreach (var signature in signatures) AddOrReplace(list, signature ?? throw new ArgumentException("null signature", nameof(signatures)));
        if (list.Count > MaxSignatures) throw new InvalidOperationException($"a signed note has at most {MaxSignatures} signatures");
        return new SignedNote(Text, _textUtf8, [.. list]);
    }

    /// <summary>
    /// Verifies the note against the keys the caller trusts, with C2SP semantics: lines whose name and key ID match no
    /// known key are ignored (even if one of the two matches); a line of a known key must verify or the whole note is
    /// rejected; at least one known key must verify.
    /// </summary>
    /// <exception cref="ArgumentException">Two different known keys share a name and key ID.</exception>
    public NoteVerification Verify(IEnumerable<NoteVerifierKey> knownKeys) => Verify(knownKeys, []);

    /// <summary>
    /// As <see cref="Verify(IEnumerable{NoteVerifierKey})"/>, and every key in <paramref name="requiredKeys"/> (which
    /// count as known) must have a verified line.
    /// </summary>
    /// <exception cref="ArgumentException">Two different known keys share a name and key ID.</exception>
    public NoteVerification Verify(IEnumerable<NoteVerifierKey> knownKeys, IEnumerable<NoteVerifierKey> requiredKeys)
    {
        ArgumentNullException.ThrowIfNull(knownKeys);
        ArgumentNullException.ThrowIfNull(requiredKeys);
        var known = new List<NoteVerifierKey>();
        foreach (var key in knownKeys) AddKnown(known, key);
        var required = new List<NoteVerifierKey>();
        foreach (var key in requiredKeys)
        {
            AddKnown(known, key);
            required.Add(key);
        }

        var verified = new List<VerifiedNoteSignature>();
        var ignored = new List<NoteSignature>();
        foreach (var signature in _signatures)
        {
            var key = Find(known, signature);
            if (key is null)
            {
                ignored.Add(signature);
                continue;
            }
            if (!key.VerifySignature(_textUtf8, signature.Signature, out var timestamp))
            {
                return new NoteVerification(this, $"invalid signature for key {key.Name}+{key.KeyIdHex}", verified, ignored);
            }
            if (FindVerified(verified, key) is null) verified.Add(new VerifiedNoteSignature(key, signature, timestamp));
        }
        foreach (var key in required)
        {
            if (FindVerified(verified, key) is null)
                return new NoteVerification(this, $"no signature from required key {key.Name}+{key.KeyIdHex}", verified, ignored);
        }
        if (verified.Count == 0) return new NoteVerification(this, "note has no verifiable signatures", verified, ignored);
        return new NoteVerification(this, null, verified, ignored);
    }

    /// <summary>The note's text (UTF-16).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Text.Length + 1 + (_signatures.Length * 100));
        builder.Append(Text).Append('\n');
        foreach (var signature in _signatures) builder.Append(signature.ToLine());
        return builder.ToString();
    }

    /// <summary>The note's UTF-8 bytes, as exchanged and stored.</summary>
    public byte[] ToUtf8() => NoteSyntax.StrictUtf8.GetBytes(ToString());

    private static void AddOrReplace(List<NoteSignature> list, NoteSignature signature)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].KeyId == signature.KeyId && string.Equals(list[i].Name, signature.Name, StringComparison.Ordinal))
            {
                list[i] = signature;
                return;
            }
        }
        list.Add(signature);
    }

    private static void AddKnown(List<NoteVerifierKey> known, NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var existing in known)
        {
            if (!existing.Matches(key.Name, key.KeyId)) continue;
            if (existing.Equals(key)) return;
            throw new ArgumentException($"ambiguous known keys: two different keys are named {key.Name}+{key.KeyIdHex}");
        }
        known.Add(key);
    }

    private static NoteVerifierKey? Find(List<NoteVerifierKey> known, NoteSignature signature)
    {
        foreach (var key in known)
        {
            if (key.Matches(signature.Name, signature.KeyId)) return key;
        }
        return null;
    }

    private static VerifiedNoteSignature? FindVerified(List<VerifiedNoteSignature> verified, NoteVerifierKey key)
    {
        foreach (var v in verified)
        {
            if (v.Key.Equals(key)) return v;
        }
        return null;
    }
}
