using System.ComponentModel;
using ProtoBuf;

namespace Huren.Schemas.Envelope;

/// <summary>
/// The ledger envelope. Encoded once by the submitter with protobuf-net; the exact bytes are signed,
/// stored and hashed, and never re-encoded. Field numbers are the wire contract: append only.
/// </summary>
/// <remarks>
/// Every entry contract writes deterministic proto3 (<see cref="CanonicalCodec"/>): default values are omitted, so
/// strings carry <c>[DefaultValue("")]</c> and byte arrays a <c>ShouldSerialize…</c> method (protobuf-net would
/// otherwise write an empty string or byte array out).
/// </remarks>
[ProtoContract]
public sealed class Entry
{
    /// <summary>What the entry records, one of <see cref="EntryKinds"/> (e.g. <c>license.issue</c>).</summary>
    [ProtoMember(1, Name = "kind"), DefaultValue("")] public string Kind { get; set; } = "";

    /// <summary>The record the entry is about: a license identifier, issuer id, seal id or share id.</summary>
    [ProtoMember(2, Name = "record_id"), DefaultValue("")] public string RecordId { get; set; } = "";

    /// <summary>The issuer (registered department) that writes the entry, or the city root id for issuer entries.</summary>
    [ProtoMember(3, Name = "issuer_id"), DefaultValue("")] public string IssuerId { get; set; } = "";

    /// <summary>When the issuer made the entry, Unix time in milliseconds (UTC).</summary>
    [ProtoMember(4, Name = "time_unix_ms")] public long TimeUnixMs { get; set; }

    /// <summary>The schema of <see cref="Body"/>, e.g. <c>huren.license.issue</c>.</summary>
    [ProtoMember(5, Name = "schema_id"), DefaultValue("")] public string SchemaId { get; set; } = "";

    /// <summary>The version of the body schema.</summary>
    [ProtoMember(6, Name = "schema_version")] public uint SchemaVersion { get; set; }

    /// <summary>The typed body, encoded with protobuf-net.</summary>
    [ProtoMember(7, Name = "body")] public byte[] Body { get; set; } = [];

    private bool ShouldSerializeBody() => Body is { Length: > 0 };

    /// <summary>Entries this one refers to, in this or another city's log.</summary>
    [ProtoMember(8, Name = "references")] public List<EntryReference> References { get; set; } = [];

    /// <summary>The log the entry is written for (<c>huren.&lt;network&gt;/&lt;city-code&gt;</c>), so a signed entry cannot be replayed into another city's log.</summary>
    [ProtoMember(9, Name = "origin"), DefaultValue("")] public string Origin { get; set; } = "";

    /// <summary>
    /// A new entry of <paramref name="kind"/> for log <paramref name="origin"/>: the body encoded once, the kind's schema
    /// id and version filled in.
    /// </summary>
    /// <exception cref="KeyNotFoundException"><paramref name="kind"/> is not one of <see cref="EntryKinds"/>.</exception>
    public static Entry Create<TBody>(string kind, string origin, string recordId, string issuerId, TBody body, DateTimeOffset time, params EntryReference[] references) => new()
    {
        Kind = kind,
        RecordId = recordId,
        IssuerId = issuerId,
        TimeUnixMs = time.ToUnixTimeMilliseconds(),
        SchemaId = (EntryKinds.Find(kind) ?? throw new KeyNotFoundException($"'{kind}' is not a known entry kind")).SchemaId,
        SchemaVersion = EntryKinds.SchemaVersion,
        Body = CanonicalCodec.Encode(body),
        References = [.. references],
        Origin = origin,
    };
}

/// <summary>A pointer to an entry in some city's log: its origin, index and RFC 9162 leaf hash.</summary>
[ProtoContract]
public sealed class EntryReference
{
    /// <summary>The log holding the referenced entry.</summary>
    [ProtoMember(1, Name = "origin"), DefaultValue("")] public string Origin { get; set; } = "";

    /// <summary>The zero-based index of the entry in that log.</summary>
    [ProtoMember(2, Name = "index")] public ulong Index { get; set; }

    /// <summary>SHA-256(0x00 ‖ SignedEntry bytes) of the referenced entry: 32 bytes.</summary>
    [ProtoMember(3, Name = "leaf_hash")] public byte[] LeafHash { get; set; } = [];

    private bool ShouldSerializeLeafHash() => LeafHash is { Length: > 0 };

    /// <summary>Why the entry refers to the other, e.g. <c>previous</c>, <c>transfer</c>, <c>share</c>.</summary>
    [ProtoMember(4, Name = "relation"), DefaultValue("")] public string Relation { get; set; } = "";
}

/// <summary>
/// An entry and its signature. <see cref="EntryBytes"/> holds the exact <see cref="Entry"/> encoding that was
/// signed; the whole <see cref="SignedEntry"/> encoding is the Merkle leaf.
/// </summary>
[ProtoContract]
public sealed class SignedEntry
{
    /// <summary>The exact bytes of the encoded <see cref="Entry"/>.</summary>
    [ProtoMember(1, Name = "entry_bytes")] public byte[] EntryBytes { get; set; } = [];

    private bool ShouldSerializeEntryBytes() => EntryBytes is { Length: > 0 };

    /// <summary>The signer's key id: SHA-256 of its DER SubjectPublicKeyInfo (32 bytes).</summary>
    [ProtoMember(2, Name = "signer_key_id")] public byte[] SignerKeyId { get; set; } = [];

    private bool ShouldSerializeSignerKeyId() => SignerKeyId is { Length: > 0 };

    /// <summary>The signature algorithm.</summary>
    [ProtoMember(3, Name = "algorithm")] public SignatureAlgorithm Algorithm { get; set; }

    /// <summary>The signature over <see cref="EntryBytes"/> (DER (r, s) for SM2 and ECDSA; 64 bytes for Ed25519).</summary>
    [ProtoMember(4, Name = "signature")] public byte[] Signature { get; set; } = [];

    private bool ShouldSerializeSignature() => Signature is { Length: > 0 };
}

/// <summary>Signature algorithms a Huren entry may use.</summary>
public enum SignatureAlgorithm
{
    /// <summary>Not set; always rejected.</summary>
    [ProtoEnum(Name = "SIGNATURE_ALGORITHM_UNSPECIFIED")]
    Unspecified = 0,
    /// <summary>SM2 with SM3 (GM/T 0009), user id <c>1234567812345678</c>, DER signature.</summary>
    [ProtoEnum(Name = "SIGNATURE_ALGORITHM_SM2_SM3")]
    Sm2Sm3 = 1,
    /// <summary>ECDSA on P-256 with SHA-256, DER signature.</summary>
    [ProtoEnum(Name = "SIGNATURE_ALGORITHM_ECDSA_P256_SHA256")]
    EcdsaP256Sha256 = 2,
    /// <summary>Ed25519 (RFC 8032), 64-byte signature.</summary>
    [ProtoEnum(Name = "SIGNATURE_ALGORITHM_ED25519")]
    Ed25519 = 3,
}
