using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Notes;

/// <summary>
/// A named private key that signs notes: a <see cref="SigningKey"/> with its note name, type and key ID. Ed25519 keys
/// (types 0x01 and 0x04) import and export the Go <c>golang.org/x/mod/sumdb/note</c> private key string
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type ‖ 32-byte seed)&gt;</c>; Go itself reads only type 0x01,
/// the same layout with type 0x04 is Huren's form for witness keys. SM2 keys stay in PKCS#8 PEM
/// (<see cref="SigningKey.FromPem"/>). Thread-safe. <see cref="ToString"/> never shows the private key.
/// </summary>
public sealed class NoteSignerKey
{
    private const string PrivateKeyPrefix = "PRIVATE+KEY+";
    private const int SeedLength = 32;

    private NoteSignerKey(SigningKey signingKey, NoteVerifierKey verifierKey)
    {
        SigningKey = signingKey;
        VerifierKey = verifierKey;
    }

    /// <summary>The key name.</summary>
    public string Name => VerifierKey.Name;

    /// <summary>The key ID.</summary>
    public uint KeyId => VerifierKey.KeyId;

    /// <summary>The signature type.</summary>
    public NoteSignatureType Type => VerifierKey.Type;

    /// <summary>The private key.</summary>
    public SigningKey SigningKey { get; }

    /// <summary>The matching verifier key (publish its <see cref="NoteVerifierKey.ToString"/>).</summary>
    public NoteVerifierKey VerifierKey { get; }

    /// <summary>An Ed25519 (type 0x01) note signer, e.g. a log key named after its origin.</summary>
    /// <exception cref="ArgumentException">Invalid name or not an Ed25519 key.</exception>
    public static NoteSignerKey ForEd25519(string name, SigningKey key)
        => new(key, NoteVerifierKey.ForEd25519(name, (key ?? throw new ArgumentNullException(nameof(key))).PublicKey));

    /// <summary>A <c>cosignature/v1</c> (type 0x04) witness signer.</summary>
    /// <exception cref="ArgumentException">Invalid name or not an Ed25519 key.</exception>
    public static NoteSignerKey ForCosigner(string name, SigningKey key)
        => new(key, NoteVerifierKey.ForCosigner(name, (key ?? throw new ArgumentNullException(nameof(key))).PublicKey));

    /// <summary>A Huren SM2 (type 0xff) note signer.</summary>
    /// <exception cref="ArgumentException">Invalid name or not an SM2 key.</exception>
    public static NoteSignerKey ForSm2(string name, SigningKey key)
        => new(key, NoteVerifierKey.ForSm2(name, (key ?? throw new ArgumentNullException(nameof(key))).PublicKey));

    /// <summary>Generates a fresh key of <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">Invalid name or unknown type.</exception>
    public static NoteSignerKey Generate(string name, NoteSignatureType type) => type switch
    {
        NoteSignatureType.Ed25519 => ForEd25519(name, SigningKey.Generate(SignatureAlgorithm.Ed25519)),
        NoteSignatureType.CosignatureV1 => ForCosigner(name, SigningKey.Generate(SignatureAlgorithm.Ed25519)),
        NoteSignatureType.HurenSm2Sm3 => ForSm2(name, SigningKey.Generate(SignatureAlgorithm.Sm2Sm3)),
        _ => throw new ArgumentException($"unknown note signature type 0x{(byte)type:x2}", nameof(type)),
    };

    /// <summary>Reads a <c>PRIVATE+KEY+…</c> string.</summary>
    /// <exception cref="FormatException">Malformed, unsupported type, or a key ID that does not match the key.</exception>
    public static NoteSignerKey ParsePrivateKey(string privateKey)
        => TryParsePrivateKey(privateKey, out var key, out var error) ? key : throw new FormatException(error);

    /// <summary>Reads a <c>PRIVATE+KEY+…</c> string without throwing; <paramref name="error"/> says why it failed.</summary>
    public static bool TryParsePrivateKey([NotNullWhen(true)] string? privateKey, [NotNullWhen(true)] out NoteSignerKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (privateKey is null || !privateKey.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
        {
            error = $"a note private key starts with '{PrivateKeyPrefix}'";
            return false;
        }
        var rest = privateKey.AsSpan(PrivateKeyPrefix.Length);
        var first = rest.IndexOf('+');
        var second = first < 0 ? -1 : rest[(first + 1)..].IndexOf('+');
        if (second < 0)
        {
            error = "a note private key is PRIVATE+KEY+<name>+<key id>+<key>";
            return false;
        }
        second += first + 1;
        var name = rest[..first].ToString();
        if (!NoteSyntax.IsValidKeyName(name, out error)) return false;
        if (!NoteSyntax.TryParseKeyIdHex(rest[(first + 1)..second], out var keyId))
        {
            error = "private key ID is not 8 lowercase hex digits";
            return false;
        }
        if (!NoteSyntax.TryDecodeBase64(rest[(second + 1)..], out var material))
        {
            error = "private key material is not canonical standard base64";
            return false;
        }
        try
        {
            if (material.Length != 1 + SeedLength)
            {
                error = $"an Ed25519 private key carries a 32-byte seed, got {material.Length - 1} bytes";
                return false;
            }
            var signingKey = SigningKey.FromEd25519Seed(material.AsSpan(1));
            switch ((NoteSignatureType)material[0])
            {
                case NoteSignatureType.Ed25519:
                    key = ForEd25519(name, signingKey);
                    break;
                case NoteSignatureType.CosignatureV1:
                    key = ForCosigner(name, signingKey);
                    break;
                default:
                    error = $"unsupported private key type 0x{material[0]:x2} (expected 0x01 or 0x04)";
                    return false;
            }
        }
        finally
        {
            Array.Clear(material);
        }
        if (key.KeyId != keyId)
        {
            error = $"private key ID {NoteSyntax.KeyIdHex(keyId)} does not match the key (expected {key.VerifierKey.KeyIdHex})";
            key = null;
            return false;
        }
        return true;
    }

    /// <summary>The <c>PRIVATE+KEY+…</c> string of an Ed25519 or cosigner key. Treat it as a secret.</summary>
    /// <exception cref="InvalidOperationException">An SM2 key (export it with <see cref="SigningKey.ToPem"/>).</exception>
    public string ExportPrivateKey()
    {
        if (Type == NoteSignatureType.HurenSm2Sm3)
            throw new InvalidOperationException("an SM2 note key has no PRIVATE+KEY string; export it as PKCS#8 PEM");
        var material = new byte[1 + SeedLength];
        material[0] = (byte)Type;
        var seed = SigningKey.GetEd25519Seed();
        seed.CopyTo(material, 1);
        Array.Clear(seed);
        var text = $"{PrivateKeyPrefix}{Name}+{VerifierKey.KeyIdHex}+{Convert.ToBase64String(material)}";
        Array.Clear(material);
        return text;
    }

    /// <summary>Signs note text (type 0x01 or 0xff) and returns the signature line.</summary>
    /// <exception cref="InvalidOperationException">A cosigner key (use <see cref="Cosign"/>, which needs a timestamp).</exception>
    public NoteSignature Sign(ReadOnlySpan<byte> text)
    {
        if (Type == NoteSignatureType.CosignatureV1)
            throw new InvalidOperationException("a cosignature/v1 key signs with a timestamp: use Cosign");
        return NoteSignature.Create(Name, KeyId, SigningKey.Sign(text));
    }

    /// <summary>
    /// Cosigns a checkpoint body (type 0x04) at <paramref name="unixSeconds"/>: the signature is the 8-byte big-endian
    /// timestamp ‖ Ed25519 over <c>cosignature/v1\ntime &lt;unixSeconds&gt;\n</c> ‖ body.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not a cosigner key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp exceeds 2^63 - 1.</exception>
    public NoteSignature Cosign(ReadOnlySpan<byte> checkpointBody, ulong unixSeconds)
    {
        if (Type != NoteSignatureType.CosignatureV1)
            throw new InvalidOperationException($"a type 0x{(byte)Type:x2} key does not cosign; use Sign");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unixSeconds, (ulong)long.MaxValue);
        var signature = new byte[NoteVerifierKey.CosignatureLength];
        BinaryPrimitives.WriteUInt64BigEndian(signature, unixSeconds);
        SigningKey.Sign(CosignatureSigner.BuildMessage(checkpointBody, unixSeconds)).CopyTo(signature, 8);
        return NoteSignature.Create(Name, KeyId, signature);
    }

    /// <summary><c>&lt;name&gt;+&lt;key id&gt;</c> and the type; never the private key.</summary>
    public override string ToString() => $"{Name}+{VerifierKey.KeyIdHex} (signer, type 0x{(byte)Type:x2})";
}
