using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;

namespace Huren.Sdk.Xml;

/// <summary>Where a license's <c>license.issue</c> entry is on the ledger.</summary>
/// <param name="Origin">The log, e.g. <c>huren.cz-t/430100</c>.</param>
/// <param name="Index">The entry's index in that log.</param>
/// <param name="LeafHash">The entry's 32-byte leaf hash.</param>
public sealed record LedgerPosition(string Origin, ulong Index, byte[] LeafHash);

/// <summary>
/// A license's GB/T 36903 metadata as its ledger entries leave it: the <c>license.issue</c> body with every later
/// change, status change and transfer applied. What <see cref="LicenseXmlWriter"/> writes and
/// <see cref="LicenseXmlVerifier"/> reads back.
/// </summary>
public sealed record LicenseMetadata
{
    /// <summary>证照标识.</summary>
    public required string LicenseId { get; init; }
    /// <summary>证照类型名称 (from the catalog).</summary>
    public required string TypeName { get; init; }
    /// <summary>证照类型代码.</summary>
    public required string TypeCode { get; init; }
    /// <summary>证照名称.</summary>
    public required string Name { get; init; }
    /// <summary>证照编号.</summary>
    public required string LicenseNumber { get; init; }
    /// <summary>持证主体 name.</summary>
    public required string HolderName { get; init; }
    /// <summary>持证主体代码类型 (<see cref="HolderCodeTypes"/>).</summary>
    public required string HolderCodeType { get; init; }
    /// <summary>持证主体代码 in clear, or empty when <see cref="HolderIdCommitment"/> stands for it.</summary>
    public string HolderCode { get; init; } = "";
    /// <summary>SM3(salt ‖ personal identifier), 32 bytes, or empty.</summary>
    public byte[] HolderIdCommitment { get; init; } = [];
    /// <summary>颁发机构 name.</summary>
    public required string IssuingAuthority { get; init; }
    /// <summary>颁发机构 统一社会信用代码.</summary>
    public required string IssuingAuthorityCode { get; init; }
    /// <summary>颁发日期, <c>yyyy-MM-dd</c>.</summary>
    public required string IssueDate { get; init; }
    /// <summary>有效期起始日期, <c>yyyy-MM-dd</c>.</summary>
    public required string ValidFrom { get; init; }
    /// <summary>有效期截止日期, <c>yyyy-MM-dd</c>, or empty (长期).</summary>
    public string ValidUntil { get; init; } = "";
    /// <summary>National status code: 01 有效, 02 暂扣, 03 撤销, 04 注销, 06 办理转出, 07 吊销 (05 and 99 are read, not derived).</summary>
    public string StatusCode { get; init; } = LicenseCodes.StatusValid;
    /// <summary>管辖区域, 6-digit 行政区划代码.</summary>
    public required string JurisdictionCode { get; init; }
    /// <summary>Digest of the current license document.</summary>
    public required byte[] DocumentDigest { get; init; }
    /// <summary><c>sm3</c> or <c>sha256</c>.</summary>
    public required string DigestAlgorithm { get; init; }
    /// <summary>Type-specific elements, with changes applied, in their original order (new ones last).</summary>
    public IReadOnlyList<LicenseField> Fields { get; init; } = [];
    /// <summary>The <c>license.issue</c> entry's place on the ledger, when known.</summary>
    public LedgerPosition? LedgerEntry { get; init; }

    /// <summary>The name of a national status code (有效, 暂扣 …), or null for an unknown code.</summary>
    public static string? StatusName(string code) => code switch
    {
        LicenseCodes.StatusValid => "有效",
        LicenseCodes.StatusSuspended => "暂扣",
        LicenseCodes.StatusWithdrawn => "撤销",
        LicenseCodes.StatusCancelled => "注销",
        LicenseCodes.StatusExpired => "失效",
        LicenseCodes.StatusTransferredOut => "办理转出",
        LicenseCodes.StatusRevoked => "吊销",
        "99" => "其他",
        _ => null,
    };

    /// <summary>The metadata of a newly issued license; the type name comes from the catalog (or the type code when the catalog lacks it).</summary>
    public static LicenseMetadata FromIssue(LicenseIssued issued, LedgerPosition? ledgerEntry = null)
    {
        ArgumentNullException.ThrowIfNull(issued);
        return new LicenseMetadata
        {
            LicenseId = issued.LicenseId,
            TypeName = LicenseTypeCatalog.TryGet(issued.TypeCode, out var type) ? type.Name : issued.TypeCode,
            TypeCode = issued.TypeCode,
            Name = issued.Name,
            LicenseNumber = issued.LicenseNumber,
            HolderName = issued.HolderName,
            HolderCodeType = issued.HolderCodeType,
            HolderCode = issued.HolderCode,
            HolderIdCommitment = issued.HolderIdCommitment,
            IssuingAuthority = issued.IssuingAuthority,
            IssuingAuthorityCode = issued.IssuingAuthorityCode,
            IssueDate = issued.IssueDate,
            ValidFrom = issued.ValidFrom,
            ValidUntil = issued.ValidUntil,
            JurisdictionCode = issued.JurisdictionCode,
            DocumentDigest = issued.DocumentDigest,
            DigestAlgorithm = issued.DigestAlgorithm,
            Fields = issued.Fields,
            LedgerEntry = ledgerEntry,
        };
    }

    /// <summary>
    /// The metadata a license's entries leave, in log order: the first must be <c>license.issue</c>; later
    /// <c>license.change</c>, <c>license.status</c>, <c>license.transfer</c> and <c>license.transfer.accept</c>
    /// entries are applied; other kinds (uses) change nothing. The bodies are decoded canonically.
    /// </summary>
    /// <exception cref="FormatException">No issue entry first, or a body that does not decode.</exception>
    public static LicenseMetadata FromEntries(IReadOnlyList<Entry> entries, LedgerPosition? ledgerEntry = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0 || entries[0].Kind != EntryKinds.LicenseIssue)
            throw new FormatException("a license's entries start with its license.issue entry");
        var metadata = FromIssue(Decode<LicenseIssued>(entries[0]), ledgerEntry);
        for (var i = 1; i < entries.Count; i++)
        {
            var entry = entries[i];
            metadata = entry.Kind switch
            {
                EntryKinds.LicenseChange => metadata.Apply(Decode<LicenseChanged>(entry)),
                EntryKinds.LicenseStatus => metadata.Apply(Decode<LicenseStatusChanged>(entry)),
                EntryKinds.LicenseTransfer => metadata with { StatusCode = LicenseCodes.StatusTransferredOut },
                EntryKinds.LicenseTransferAccept => metadata with { StatusCode = LicenseCodes.StatusValid },
                _ => metadata,
            };
        }
        return metadata;
    }

    /// <summary>A change or renewal: new end of validity, new document digest, changed fields.</summary>
    public LicenseMetadata Apply(LicenseChanged change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var fields = new List<LicenseField>(Fields);
        foreach (var changed in change.ChangedFields)
        {
            var at = fields.FindIndex(f => f.Name == changed.Name);
            if (at >= 0) fields[at] = changed;
            else fields.Add(changed);
        }
        return this with
        {
            ValidUntil = change.NewValidUntil.Length > 0 ? change.NewValidUntil : ValidUntil,
            DocumentDigest = change.NewDocumentDigest.Length > 0 ? change.NewDocumentDigest : DocumentDigest,
            DigestAlgorithm = change.NewDocumentDigest.Length > 0 ? change.DigestAlgorithm : DigestAlgorithm,
            Fields = fields,
        };
    }

    /// <summary>A suspension, resumption or revocation: the status code it records.</summary>
    public LicenseMetadata Apply(LicenseStatusChanged change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return this with { StatusCode = change.StatusCode };
    }

    /// <summary>
    /// Where this metadata (what a signed export states) differs from <paramref name="current"/> (what the ledger's
    /// entries give now), by element name (<c>DocumentDigest</c>, <c>Status</c>, <c>Field 住所</c> …); empty when it
    /// states nothing else. <c>TypeName</c>, the catalog's word for the type code, is not compared; <c>LedgerEntry</c>
    /// only when this metadata states one (it is optional).
    /// </summary>
    public IReadOnlyList<string> DifferencesFrom(LicenseMetadata current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var differences = new List<string>();
        void Compare(string element, bool same)
        {
            if (!same) differences.Add(element);
        }
        Compare("LicenseId", LicenseId == current.LicenseId);
        Compare("TypeCode", TypeCode == current.TypeCode);
        Compare("Name", Name == current.Name);
        Compare("LicenseNumber", LicenseNumber == current.LicenseNumber);
        Compare("Holder/Name", HolderName == current.HolderName);
        Compare("Holder/CodeType", HolderCodeType == current.HolderCodeType);
        Compare("Holder/Code", HolderCode == current.HolderCode);
        Compare("Holder/IdCommitment", HolderIdCommitment.AsSpan().SequenceEqual(current.HolderIdCommitment));
        Compare("IssuingAuthority/Name", IssuingAuthority == current.IssuingAuthority);
        Compare("IssuingAuthority/Code", IssuingAuthorityCode == current.IssuingAuthorityCode);
        Compare("IssueDate", IssueDate == current.IssueDate);
        Compare("ValidFrom", ValidFrom == current.ValidFrom);
        Compare("ValidUntil", ValidUntil == current.ValidUntil);
        Compare("Status", StatusCode == current.StatusCode);
        Compare("JurisdictionCode", JurisdictionCode == current.JurisdictionCode);
        Compare("DocumentDigest", DigestAlgorithm == current.DigestAlgorithm && DocumentDigest.AsSpan().SequenceEqual(current.DocumentDigest));
        // Fields by name: a changed value, one the other side lacks (order alone is no difference).
        foreach (var name in Fields.Select(f => f.Name).Concat(current.Fields.Select(f => f.Name)).Distinct(StringComparer.Ordinal))
        {
            var stated = Fields.FirstOrDefault(f => f.Name == name)?.Value;
            var now = current.Fields.FirstOrDefault(f => f.Name == name)?.Value;
            Compare($"Field {name}", stated == now);
        }
        if (LedgerEntry is { } entry)
        {
            Compare("LedgerEntry", current.LedgerEntry is { } at && entry.Origin == at.Origin && entry.Index == at.Index && entry.LeafHash.AsSpan().SequenceEqual(at.LeafHash));
        }
        return differences;
    }

    private static T Decode<T>(Entry entry)
        => CanonicalCodec.TryDecode<T>(entry.Body, out var body, out var error) ? body! : throw new FormatException($"{entry.Kind} body: {error}");
}
