using Huren.Sdk.Seals;
using ProtoBuf;

namespace Huren.Node.Ledger;

/// <summary>
/// Derived state of one electronic seal of a city log (state row <c>seal/&lt;seal id&gt;</c>). Node-internal;
/// field numbers are append only. Instances handed out are copies.
/// </summary>
[ProtoContract]
public sealed class SealRecord
{
    /// <summary>The seal's esID.</summary>
    [ProtoMember(1)] public string SealId { get; set; } = "";

    /// <summary>The issuer that registered it; only this issuer may revoke it.</summary>
    [ProtoMember(2)] public string IssuerId { get; set; } = "";

    /// <summary>The seal's name.</summary>
    [ProtoMember(3)] public string Name { get; set; } = "";

    /// <summary>Seal type code.</summary>
    [ProtoMember(4)] public string SealType { get; set; } = "";

    /// <summary>The owning organisation's 统一社会信用代码.</summary>
    [ProtoMember(5)] public string OwnerCode { get; set; } = "";

    /// <summary>First day of validity.</summary>
    [ProtoMember(6)] public string ValidFrom { get; set; } = "";

    /// <summary>Last day of validity.</summary>
    [ProtoMember(7)] public string ValidUntil { get; set; } = "";

    /// <summary>Index of the <c>seal.register</c> entry.</summary>
    [ProtoMember(8)] public ulong RegisteredIndex { get; set; }

    /// <summary>Leaf hash of the <c>seal.register</c> entry.</summary>
    [ProtoMember(9)] public byte[] RegisteredLeafHash { get; set; } = [];

    /// <summary>Whether the seal was revoked.</summary>
    [ProtoMember(10)] public bool Revoked { get; set; }

    /// <summary>Index of the <c>seal.revoke</c> entry, when <see cref="Revoked"/>.</summary>
    [ProtoMember(11)] public ulong RevokedIndex { get; set; }

    /// <summary>Why it was revoked.</summary>
    [ProtoMember(12)] public string RevokeReason { get; set; } = "";

    /// <summary>SHA-256 of the registered <c>SES_Seal</c> DER: a signature must embed exactly these bytes.</summary>
    [ProtoMember(13)] public byte[] SealSha256 { get; set; } = [];

    /// <summary>The <c>seal.register</c> entry's time, Unix ms: a document sealed before it was not sealed with a registered seal.</summary>
    [ProtoMember(14)] public long RegisteredUnixMs { get; set; }

    /// <summary>Key id of the maker certificate's key (the registering issuer's key or one of its seal maker keys).</summary>
    [ProtoMember(15)] public byte[] MakerKeyId { get; set; } = [];

    /// <summary>
    /// What the log says about the seal as of a checkpoint of <paramref name="asOfSize"/> entries (a revocation or use
    /// at or after it is not yet part of what that checkpoint proves), with <paramref name="useIndex"/> the entry that
    /// recorded the signature judged, if any.
    /// </summary>
    public SealLedgerFacts Facts(string origin, ulong? useIndex, ulong asOfSize) => new(
        origin, SealId, SealSha256, DateTimeOffset.FromUnixTimeMilliseconds(RegisteredUnixMs), RegisteredIndex,
        Revoked && RevokedIndex < asOfSize ? RevokedIndex : null, Revoked && RevokedIndex < asOfSize ? RevokeReason : "",
        useIndex < asOfSize ? useIndex : null);

    /// <summary>A copy.</summary>
    public SealRecord Clone()
    {
        var copy = (SealRecord)MemberwiseClone();
        copy.RegisteredLeafHash = [.. RegisteredLeafHash];
        copy.SealSha256 = [.. SealSha256];
        copy.MakerKeyId = [.. MakerKeyId];
        return copy;
    }
}

/// <summary>
/// A sealed document's <c>seal.use</c> entry (state row <c>sealuse/&lt;hex SHA-256 of the SES_Signature DER&gt;</c>):
/// how the node finds that a signature was recorded, and before which revocation. Node-internal; field numbers are append only.
/// </summary>
[ProtoContract]
public sealed class SealUseRecord
{
    /// <summary>The seal applied.</summary>
    [ProtoMember(1)] public string SealId { get; set; } = "";

    /// <summary>Index of the <c>seal.use</c> entry.</summary>
    [ProtoMember(2)] public ulong Index { get; set; }

    /// <summary>Leaf hash of the <c>seal.use</c> entry.</summary>
    [ProtoMember(3)] public byte[] LeafHash { get; set; } = [];

    /// <summary>The issuer that recorded it.</summary>
    [ProtoMember(4)] public string IssuerId { get; set; } = "";
}

/// <summary>
/// A data share recorded in this log by its provider (state row <c>share/&lt;share id&gt;</c>). Node-internal;
/// field numbers are append only.
/// </summary>
[ProtoContract]
public sealed class ShareRecord
{
    /// <summary>The share id.</summary>
    [ProtoMember(1)] public string ShareId { get; set; } = "";

    /// <summary>The providing issuer.</summary>
    [ProtoMember(2)] public string IssuerId { get; set; } = "";

    /// <summary>The consumer's 统一社会信用代码.</summary>
    [ProtoMember(3)] public string ConsumerCode { get; set; } = "";

    /// <summary>The consumer's log, where its receipt is expected.</summary>
    [ProtoMember(4)] public string ConsumerOrigin { get; set; } = "";

    /// <summary>The record or dataset shared.</summary>
    [ProtoMember(5)] public string ResourceId { get; set; } = "";

    /// <summary>Digest of the payload sent.</summary>
    [ProtoMember(6)] public byte[] PayloadDigest { get; set; } = [];

    /// <summary>Until when the consumer may use the data.</summary>
    [ProtoMember(7)] public string ExpiresOn { get; set; } = "";

    /// <summary>Index of the <c>share</c> entry.</summary>
    [ProtoMember(8)] public ulong Index { get; set; }

    /// <summary>Leaf hash of the <c>share</c> entry.</summary>
    [ProtoMember(9)] public byte[] LeafHash { get; set; } = [];
}

/// <summary>
/// A receipt recorded in this log by a consumer (state row <c>receipt/&lt;provider origin&gt; &lt;share id&gt;</c>):
/// one receipt per share. Node-internal; field numbers are append only.
/// </summary>
[ProtoContract]
public sealed class ReceiptRecord
{
    /// <summary>The share acknowledged.</summary>
    [ProtoMember(1)] public string ShareId { get; set; } = "";

    /// <summary>The provider's log.</summary>
    [ProtoMember(2)] public string ProviderOrigin { get; set; } = "";

    /// <summary>Index of the share entry in the provider's log.</summary>
    [ProtoMember(3)] public ulong ShareIndex { get; set; }

    /// <summary>Leaf hash of the share entry.</summary>
    [ProtoMember(4)] public byte[] ShareLeafHash { get; set; } = [];

    /// <summary>The consuming issuer that wrote the receipt.</summary>
    [ProtoMember(5)] public string IssuerId { get; set; } = "";

    /// <summary>Index of the <c>receipt</c> entry in this log.</summary>
    [ProtoMember(6)] public ulong Index { get; set; }

    /// <summary>Leaf hash of the <c>receipt</c> entry.</summary>
    [ProtoMember(7)] public byte[] LeafHash { get; set; } = [];
}

/// <summary>
/// A catalogue resource as last published in this log (state row <c>catalog/&lt;resource code&gt;</c>); the full body is
/// the entry at <see cref="Index"/>. Node-internal; field numbers are append only.
/// </summary>
[ProtoContract]
public sealed class CatalogRecord
{
    /// <summary>The resource code.</summary>
    [ProtoMember(1)] public string ResourceCode { get; set; } = "";

    /// <summary>The publishing department; only it may publish the resource again.</summary>
    [ProtoMember(2)] public string IssuerId { get; set; } = "";

    /// <summary>Index of the latest <c>catalog.publish</c> entry.</summary>
    [ProtoMember(3)] public ulong Index { get; set; }

    /// <summary>Leaf hash of that entry.</summary>
    [ProtoMember(4)] public byte[] LeafHash { get; set; } = [];
}

/// <summary>A provider's decision on a share request (state row <c>decision/&lt;share id&gt;</c>). Node-internal; field numbers are append only.</summary>
[ProtoContract]
public sealed class DecisionRecord
{
    /// <summary>The request's share id.</summary>
    [ProtoMember(1)] public string ShareId { get; set; } = "";

    /// <summary>Whether it was approved (else refused).</summary>
    [ProtoMember(2)] public bool Approved { get; set; }

    /// <summary>The deciding department.</summary>
    [ProtoMember(3)] public string IssuerId { get; set; } = "";

    /// <summary>Index of the <c>share.decision</c> entry.</summary>
    [ProtoMember(4)] public ulong Index { get; set; }

    /// <summary>Leaf hash of that entry.</summary>
    [ProtoMember(5)] public byte[] LeafHash { get; set; } = [];
}

/// <summary>State row <c>meta/state</c>: which log the rows belong to and how many entries they reflect.</summary>
[ProtoContract]
public sealed class StateMeta
{
    /// <summary>The log's origin.</summary>
    [ProtoMember(1)] public string Origin { get; set; } = "";

    /// <summary>The number of entries applied: the index the next entry must have.</summary>
    [ProtoMember(2)] public ulong NextIndex { get; set; }
}

/// <summary>
/// Which kind of record a record id names in this log (state row <c>record/&lt;record id&gt;</c>), for the record kinds
/// whose ids are chosen freely (seals, issuers, catalogue resources, shares). The status map is keyed by record id alone
/// (../shared/spec/checkpoints.md), so one id naming two records would let the latest entry of one stand as the proven
/// state of the other. License ids have a form only license entries may use, so they need no row. Node-internal; field
/// numbers are append only.
/// </summary>
[ProtoContract]
public sealed class RecordKindRow
{
    /// <summary>The kind of record: seal, issuer, catalog or share.</summary>
    [ProtoMember(1)] public string Kind { get; set; } = "";
}
