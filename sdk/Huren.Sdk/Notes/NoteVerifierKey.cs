using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Notes;

/// <summary>
/// A C2SP verifier key ("vkey"): <c>&lt;name&gt;+&lt;8 hex digit key ID&gt;+&lt;base64(key material)&gt;</c>, where the key
/// material is the signature type byte followed by the public key, and the key ID is
/// SHA-256(name ‖ 0x0A ‖ key material)[:4]. Three types are understood:
/// <list type="bullet">
/// <item><c>0x01</c> Ed25519: material = 0x01 ‖ 32-byte public key (c2sp.org/signed-note).</item>
/// <item><c>0x04</c> cosignature/v1: material = 0x04 ‖ 32-byte Ed25519 public key (c2sp.org/tlog-cosignature).</item>
/// <item>
/// <c>0xff</c> Huren SM2: material = 0xff ‖ ASCII <c>huren-sm2-sm3/v1</c> ‖ DER SubjectPublicKeyInfo of the SM2 key. This
/// is Huren's choice of vkey form; it makes the key ID formula of checkpoints.md the same as for the other types
/// (SHA-256 over the name, a newline and exactly the bytes the vkey carries).
/// </item>
/// </list>
/// Immutable (apart from a table of signatures it has verified) and thread-safe. Two keys are equal when their name and key material are.
/// </summary>
public sealed class NoteVerifierKey : IEquatable<NoteVerifierKey>
{
    /// <summary>The identifier that follows the <c>0xff</c> type byte of Huren's SM2 keys.</summary>
    public const string HurenSm2Identifier = "huren-sm2-sm3/v1";

    /// <summary>Length of an Ed25519 public key.</summary>
    private const int Ed25519KeyLength = 32;

    /// <summary>Length of an Ed25519 signature.</summary>
    private const int Ed25519SignatureLength = 64;

    /// <summary>Length of a <c>cosignature/v1</c> signature: 8-byte timestamp ‖ 64-byte Ed25519 signature.</summary>
    public const int CosignatureLength = 8 + Ed25519SignatureLength;

    private static ReadOnlySpan<byte> Sm2IdentifierBytes => "huren-sm2-sm3/v1"u8;

    private readonly byte[] _material;
    private readonly byte[]?[] _verified = new byte[VerifiedSlots][];

    private NoteVerifierKey(string name, NoteSignatureType type, byte[] material, PublicKey publicKey)
    {
        Name = name;
        Type = type;
        _material = material;
        PublicKey = publicKey;
        KeyId = NoteSyntax.ComputeKeyId(name, material);
    }

    /// <summary>The key name (for a log key, the checkpoint origin).</summary>
    public string Name { get; }

    /// <summary>The 32-bit key ID, as carried big-endian in the first four bytes of every signature.</summary>
    public uint KeyId { get; }

    /// <summary>The key ID as 8 lowercase hex digits, as written in the vkey.</summary>
    public string KeyIdHex => NoteSyntax.KeyIdHex(KeyId);

    /// <summary>The signature type.</summary>
    public NoteSignatureType Type { get; }

    /// <summary>The public key (Ed25519 for types 0x01 and 0x04, SM2 for 0xff).</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The key material: type byte ‖ public key encoding (‖ identifier before the SPKI for SM2).</summary>
    public ReadOnlySpan<byte> KeyMaterial => _material;

    /// <summary>An Ed25519 (type 0x01) verifier key.</summary>
    /// <exception cref="ArgumentException">Invalid name, or not an Ed25519 key.</exception>
    public static NoteVerifierKey ForEd25519(string name, PublicKey publicKey) => ForEd25519Type(name, publicKey, NoteSignatureType.Ed25519);

    /// <summary>A <c>cosignature/v1</c> (type 0x04) witness verifier key.</summary>
    /// <exception cref="ArgumentException">Invalid name, or not an Ed25519 key.</exception>
    public static NoteVerifierKey ForCosigner(string name, PublicKey publicKey) => ForEd25519Type(name, publicKey, NoteSignatureType.CosignatureV1);

    /// <summary>A Huren SM2 (type 0xff, <c>huren-sm2-sm3/v1</c>) verifier key.</summary>
    /// <exception cref="ArgumentException">Invalid name, or not an SM2 key.</exception>
    public static NoteVerifierKey ForSm2(string name, PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        RequireName(name);
        if (publicKey.Algorithm != SignatureAlgorithm.Sm2Sm3)
            throw new ArgumentException($"a {HurenSm2Identifier} note key must be SM2, got {publicKey.Algorithm}", nameof(publicKey));
        var spki = publicKey.SubjectPublicKeyInfo;
        var material = new byte[1 + Sm2IdentifierBytes.Length + spki.Length];
        material[0] = (byte)NoteSignatureType.HurenSm2Sm3;
        Sm2IdentifierBytes.CopyTo(material.AsSpan(1));
        spki.CopyTo(material.AsSpan(1 + Sm2IdentifierBytes.Length));
        return new NoteVerifierKey(name, NoteSignatureType.HurenSm2Sm3, material, publicKey);
    }

    /// <summary>Parses a vkey string.</summary>
    /// <exception cref="FormatException">Malformed, unsupported type, wrong key length, or a key ID that does not match.</exception>
    public static NoteVerifierKey Parse(string vkey)
        => TryParse(vkey, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Parses a vkey string, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? vkey, [NotNullWhen(true)] out NoteVerifierKey? key)
        => TryParse(vkey, out key, out _);

    /// <summary>Parses a vkey string, without throwing; <paramref name="error"/> says why it failed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? vkey, [NotNullWhen(true)] out NoteVerifierKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (vkey is null)
        {
            error = "verifier key is null";
            return false;
        }
        // name + hex + base64; the base64 alphabet contains '+', so only the first two pluses separate.
        var first = vkey.IndexOf('+');
        var second = first < 0 ? -1 : vkey.IndexOf('+', first + 1);
        if (second < 0)
        {
            error = "verifier key is not <name>+<key id>+<key>";
            return false;
        }
        var name = vkey[..first];
        if (!NoteSyntax.IsValidKeyName(name, out error)) return false;
        if (!NoteSyntax.TryParseKeyIdHex(vkey.AsSpan(first + 1, second - first - 1), out var keyId))
        {
            error = "verifier key ID is not 8 lowercase hex digits";
            return false;
        }
        if (!NoteSyntax.TryDecodeBase64(vkey.AsSpan(second + 1), out var material))
        {
            error = "verifier key material is not canonical standard base64";
            return false;
        }
        if (!TryFromMaterial(name, material, out key, out error)) return false;
        if (key.KeyId != keyId)
        {
            error = $"verifier key ID {NoteSyntax.KeyIdHex(keyId)} does not match the key (expected {key.KeyIdHex})";
            key = null;
            return false;
        }
        return true;
    }

    /// <summary>Computes a key ID: SHA-256(name ‖ 0x0A ‖ key material)[:4], big-endian.</summary>
    /// <exception cref="ArgumentException">Invalid name.</exception>
    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> keyMaterial)
    {
        RequireName(name);
        return NoteSyntax.ComputeKeyId(name, keyMaterial);
    }

    /// <summary>Whether a signature line with <paramref name="name"/> and <paramref name="keyId"/> belongs to this key.</summary>
    public bool Matches(string name, uint keyId) => keyId == KeyId && string.Equals(name, Name, StringComparison.Ordinal);

    /// <summary>
    /// Verifies signature bytes (the part of a signature line after the four key ID bytes) over the note text. For a
    /// cosignature key the bytes are timestamp ‖ signature and <paramref name="timestamp"/> receives the timestamp; for
    /// the other types it is null. Malformed signatures are invalid, never an exception.
    /// </summary>
    /// <remarks>
    /// A signature this key has verified over the same text is accepted again without the public-key check: a node meets
    /// each checkpoint several times (its follow stream, a witness offer, every cosigned update), and an SM2 check costs
    /// far more than the SHA-256 that recognises the same bytes. Only verified signatures are remembered, in a small
    /// fixed table; the digest covers the text's length, the text and the signature, so no other text or signature
    /// (nor another split of the same bytes between them) is taken for one seen before.
    /// </remarks>
    public bool VerifySignature(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature, out ulong? timestamp)
    {
        timestamp = null;
        ulong time = 0;
        switch (Type)
        {
            case NoteSignatureType.Ed25519:
                if (signature.Length != Ed25519SignatureLength) return false;
                break;
            case NoteSignatureType.HurenSm2Sm3:
                break;
            case NoteSignatureType.CosignatureV1:
                if (signature.Length != CosignatureLength) return false;
                time = BinaryPrimitives.ReadUInt64BigEndian(signature);
                if (time > long.MaxValue) return false;
                break;
            default:
                return false;
        }
        Span<byte> digest = stackalloc byte[32];
        VerifiedDigest(text, signature, digest);
        ref var slot = ref _verified[BinaryPrimitives.ReadUInt32LittleEndian(digest) % VerifiedSlots];
        if (Volatile.Read(ref slot) is not { } seen || !seen.AsSpan().SequenceEqual(digest))
        {
            var valid = Type == NoteSignatureType.CosignatureV1
                ? PublicKey.Verify(CosignatureSigner.BuildMessage(text, time), signature[8..])
                : PublicKey.Verify(text, signature);
            if (!valid) return false;
            Volatile.Write(ref slot, digest.ToArray());
        }
        if (Type == NoteSignatureType.CosignatureV1) timestamp = time;
        return true;
    }

    /// <summary>Slots of the table of verified signatures (32 bytes each, per key).</summary>
    private const int VerifiedSlots = 256;

    /// <summary>SHA-256(text length, 8 bytes big-endian ‖ text ‖ signature): what a verified signature is remembered by.</summary>
    private static void VerifiedDigest(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature, Span<byte> digest)
    {
        var length = 8 + text.Length + signature.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BinaryPrimitives.WriteUInt64BigEndian(rented, (ulong)text.Length);
            text.CopyTo(rented.AsSpan(8));
            signature.CopyTo(rented.AsSpan(8 + text.Length));
            SHA256.HashData(rented.AsSpan(0, length), digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The vkey string.</summary>
    public override string ToString() => $"{Name}+{KeyIdHex}+{Convert.ToBase64String(_material)}";

    /// <inheritdoc/>
    public bool Equals(NoteVerifierKey? other)
        => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && _material.AsSpan().SequenceEqual(other._material);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is NoteVerifierKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), KeyId);

    private static NoteVerifierKey ForEd25519Type(string name, PublicKey publicKey, NoteSignatureType type)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        RequireName(name);
        if (publicKey.Algorithm != SignatureAlgorithm.Ed25519)
            throw new ArgumentException($"a type 0x{(byte)type:x2} note key must be Ed25519, got {publicKey.Algorithm}", nameof(publicKey));
        var material = new byte[1 + Ed25519KeyLength];
        material[0] = (byte)type;
        publicKey.GetEd25519Raw().CopyTo(material, 1);
        return new NoteVerifierKey(name, type, material, publicKey);
    }

    private static bool TryFromMaterial(string name, byte[] material, [NotNullWhen(true)] out NoteVerifierKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = null;
        switch ((NoteSignatureType)material[0])
        {
            case NoteSignatureType.Ed25519:
            case NoteSignatureType.CosignatureV1:
                if (material.Length != 1 + Ed25519KeyLength)
                {
                    error = $"an Ed25519 verifier key carries 32 key bytes, got {material.Length - 1}";
                    return false;
                }
                PublicKey ed25519;
                try
                {
                    ed25519 = PublicKey.FromEd25519Raw(material.AsSpan(1));
                }
                catch (ArgumentException ex)
                {
                    // BouncyCastle refuses bytes that do not decode to a curve point.
                    error = $"not a valid Ed25519 public key: {ex.Message}";
                    return false;
                }
                key = new NoteVerifierKey(name, (NoteSignatureType)material[0], material, ed25519);
                return true;
            case NoteSignatureType.HurenSm2Sm3:
                var rest = material.AsSpan(1);
                if (!rest.StartsWith(Sm2IdentifierBytes))
                {
                    error = $"a type 0xff verifier key must continue with '{HurenSm2Identifier}'";
                    return false;
                }
                PublicKey publicKey;
                try
                {
                    publicKey = PublicKey.FromSubjectPublicKeyInfo(rest[Sm2IdentifierBytes.Length..]);
                }
                catch (FormatException ex)
                {
                    error = $"the SM2 verifier key's SubjectPublicKeyInfo is invalid: {ex.Message}";
                    return false;
                }
                if (publicKey.Algorithm != SignatureAlgorithm.Sm2Sm3)
                {
                    error = $"a {HurenSm2Identifier} verifier key must be SM2, got {publicKey.Algorithm}";
                    return false;
                }
                key = new NoteVerifierKey(name, NoteSignatureType.HurenSm2Sm3, material, publicKey);
                return true;
            default:
                error = $"unsupported verifier key type 0x{material[0]:x2} (expected 0x01, 0x04 or 0xff)";
                return false;
        }
    }

    internal static void RequireName(string name)
    {
        if (!NoteSyntax.IsValidKeyName(name, out var error)) throw new ArgumentException(error, nameof(name));
    }
}
