using System.Globalization;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Notes;

/// <summary>
/// Makes <c>cosignature/v1</c> witness cosignatures (c2sp.org/tlog-cosignature, Ed25519, type 0x04): the signature line's
/// bytes are the 8-byte big-endian POSIX timestamp ‖ the Ed25519 signature over
/// <c>cosignature/v1\ntime &lt;seconds&gt;\n</c> followed by the whole checkpoint body, extension lines included.
/// </summary>
public static class CosignatureSigner
{
    /// <summary>The header line of the signed message (without its newline).</summary>
    public const string Header = "cosignature/v1";

    /// <summary>Huren's witness key name for a member: <c>&lt;origin&gt;/witness</c>.</summary>
    public static string WitnessNameFor(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        return origin + "/witness";
    }

    /// <summary>The signed message: <c>cosignature/v1\ntime &lt;unixSeconds&gt;\n</c> ‖ checkpoint body.</summary>
    public static byte[] BuildMessage(ReadOnlySpan<byte> checkpointBody, ulong unixSeconds)
    {
        var prefix = NoteSyntax.StrictUtf8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Header}\ntime {unixSeconds}\n"));
        var message = new byte[prefix.Length + checkpointBody.Length];
        prefix.CopyTo(message, 0);
        checkpointBody.CopyTo(message.AsSpan(prefix.Length));
        return message;
    }

    /// <summary>Cosigns a checkpoint body with <paramref name="witnessKey"/> (Ed25519) under <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">The body is not a well-formed checkpoint (a witness signs nothing else).</exception>
    /// <exception cref="ArgumentException">Invalid name or not an Ed25519 key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp exceeds 2^63 - 1.</exception>
    public static NoteSignature Sign(string checkpointBody, SigningKey witnessKey, string name, ulong unixSeconds)
        => Sign(checkpointBody, NoteSignerKey.ForCosigner(name, witnessKey), unixSeconds);

    /// <summary>Cosigns a checkpoint body at <paramref name="timestamp"/> (whole seconds; fractions are dropped).</summary>
    /// <exception cref="FormatException">The body is not a well-formed checkpoint.</exception>
    /// <exception cref="ArgumentException">Invalid name or not an Ed25519 key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time before 1970.</exception>
    public static NoteSignature Sign(string checkpointBody, SigningKey witnessKey, string name, DateTimeOffset timestamp)
        => Sign(checkpointBody, witnessKey, name, ToUnixSeconds(timestamp));

    /// <summary>Cosigns a checkpoint body with a cosigner key.</summary>
    /// <exception cref="FormatException">The body is not a well-formed checkpoint.</exception>
    /// <exception cref="InvalidOperationException">Not a cosigner (type 0x04) key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp exceeds 2^63 - 1.</exception>
    public static NoteSignature Sign(string checkpointBody, NoteSignerKey witness, ulong unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(witness);
        Checkpoint.Parse(checkpointBody);
        return witness.Cosign(NoteSyntax.StrictUtf8.GetBytes(checkpointBody), unixSeconds);
    }

    /// <summary>Cosigns a signed checkpoint and returns it with the cosignature line added (or replacing this witness's).</summary>
    /// <exception cref="FormatException">The note's text is not a well-formed checkpoint.</exception>
    /// <exception cref="InvalidOperationException">Not a cosigner key, or the note would exceed its signature limit.</exception>
    public static SignedNote Cosign(SignedNote note, NoteSignerKey witness, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note.WithSignature(Sign(note.Text, witness, ToUnixSeconds(timestamp)));
    }

    private static ulong ToUnixSeconds(DateTimeOffset timestamp)
    {
        var seconds = timestamp.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(seconds, nameof(timestamp));
        return (ulong)seconds;
    }
}
