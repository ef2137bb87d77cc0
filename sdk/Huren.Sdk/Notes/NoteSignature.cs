using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Notes;

/// <summary>
/// One signature line of a signed note: <c>— &lt;key name&gt; &lt;base64(4-byte key ID ‖ signature)&gt;</c> (U+2014,
/// spaces). Immutable; equal when name, key ID and signature bytes are.
/// </summary>
public sealed class NoteSignature : IEquatable<NoteSignature>
{
    private readonly byte[] _signature;

    private NoteSignature(string name, uint keyId, byte[] signature)
    {
        Name = name;
        KeyId = keyId;
        _signature = signature;
    }

    /// <summary>The key name.</summary>
    public string Name { get; }

    /// <summary>The key ID (the first four bytes of the encoded signature, big-endian).</summary>
    public uint KeyId { get; }

    /// <summary>The signature bytes after the key ID (for a cosignature: timestamp ‖ Ed25519 signature).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>A signature line from its parts.</summary>
    /// <exception cref="ArgumentException">Invalid key name or empty signature.</exception>
    public static NoteSignature Create(string name, uint keyId, ReadOnlySpan<byte> signature)
    {
        NoteVerifierKey.RequireName(name);
        if (signature.IsEmpty) throw new ArgumentException("a note signature is not empty", nameof(signature));
        return new NoteSignature(name, keyId, signature.ToArray());
    }

    /// <summary>Parses one signature line, with or without its final newline.</summary>
    /// <exception cref="FormatException">Not a well-formed signature line; the message says why.</exception>
    public static NoteSignature ParseLine(string line)
        => TryParseLine(line, out var signature, out var error) ? signature : throw new FormatException(error);

    /// <summary>Parses one signature line, with or without its final newline, without throwing.</summary>
    public static bool TryParseLine([NotNullWhen(true)] string? line, [NotNullWhen(true)] out NoteSignature? signature, [NotNullWhen(false)] out string? error)
    {
        signature = null;
        if (line is null)
        {
            error = "signature line is null";
            return false;
        }
        var span = line.AsSpan();
        if (span.EndsWith("\n")) span = span[..^1];
        return TryParseLine(span, out signature, out error);
    }

    internal static bool TryParseLine(ReadOnlySpan<char> line, [NotNullWhen(true)] out NoteSignature? signature, [NotNullWhen(false)] out string? error)
    {
        signature = null;
        if (!line.StartsWith(NoteSyntax.SignatureLinePrefix, StringComparison.Ordinal))
        {
            error = $"signature line does not start with an em dash and a space: '{NoteSyntax.Printable(line.ToString())}'";
            return false;
        }
        var rest = line[NoteSyntax.SignatureLinePrefix.Length..];
        var space = rest.IndexOf(' ');
        if (space < 0)
        {
            error = "signature line is not '— <name> <signature>'";
            return false;
        }
        var name = rest[..space].ToString();
        if (!NoteSyntax.IsValidKeyName(name, out error))
        {
            error = "signature line: " + error;
            return false;
        }
        if (!NoteSyntax.TryDecodeBase64(rest[(space + 1)..], out var bytes))
        {
            error = $"signature of '{name}' is not canonical standard base64";
            return false;
        }
        if (bytes.Length < 5)
        {
            error = $"signature of '{name}' is shorter than a key ID and one signature byte";
            return false;
        }
        signature = new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(bytes), bytes[4..]);
        return true;
    }

    /// <summary>Whether this line was made by <paramref name="key"/>'s name and key ID (not whether it verifies).</summary>
    public bool IsFrom(NoteVerifierKey key) => key is not null && key.Matches(Name, KeyId);

    /// <summary>The base64 of key ID ‖ signature, as written on the line.</summary>
    public string EncodedSignature()
    {
        var bytes = new byte[4 + _signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, KeyId);
        _signature.CopyTo(bytes, 4);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The line including its final newline.</summary>
    public string ToLine() => $"{NoteSyntax.SignatureLinePrefix}{Name} {EncodedSignature()}\n";

    /// <summary>The line without its final newline.</summary>
    public override string ToString() => $"{NoteSyntax.SignatureLinePrefix}{Name} {EncodedSignature()}";

    /// <inheritdoc/>
    public bool Equals(NoteSignature? other)
        => other is not null && KeyId == other.KeyId && string.Equals(Name, other.Name, StringComparison.Ordinal)
            && _signature.AsSpan().SequenceEqual(other._signature);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NoteSignature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), KeyId);
}
