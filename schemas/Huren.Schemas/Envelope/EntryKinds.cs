using System.Globalization;
using Huren.Schemas.Bodies;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Envelope;

/// <summary>The entry kinds of the Huren standard: their names, and the one table that describes each (<see cref="All"/>).</summary>
public static class EntryKinds
{
    /// <summary>A city root registers a department as an issuer.</summary>
    public const string IssuerRegister = "issuer.register";
    /// <summary>A city root revokes an issuer.</summary>
    public const string IssuerRevoke = "issuer.revoke";
    /// <summary>A city root passes an issuer's records to a successor department (机构改革).</summary>
    public const string IssuerSucceed = "issuer.succeed";
    /// <summary>An issuer issues a license (新发).</summary>
    public const string LicenseIssue = "license.issue";
    /// <summary>An issuer changes or renews a license (变更/延续).</summary>
    public const string LicenseChange = "license.change";
    /// <summary>An issuer suspends, resumes or revokes a license.</summary>
    public const string LicenseStatus = "license.status";
    /// <summary>An issuer transfers a license out to another city (转出).</summary>
    public const string LicenseTransfer = "license.transfer";
    /// <summary>The receiving city accepts a transferred license (转入).</summary>
    public const string LicenseTransferAccept = "license.transfer.accept";
    /// <summary>A counter used a license for a matter (用证留痕).</summary>
    public const string LicenseUse = "license.use";
    /// <summary>An issuer registers an electronic seal.</summary>
    public const string SealRegister = "seal.register";
    /// <summary>An issuer revokes an electronic seal.</summary>
    public const string SealRevoke = "seal.revoke";
    /// <summary>A seal was applied to a document (电子签章).</summary>
    public const string SealUse = "seal.use";
    /// <summary>A provider shared data with a consumer (数据共享).</summary>
    public const string Share = "share";
    /// <summary>The consumer acknowledged a share (共享回执).</summary>
    public const string Receipt = "receipt";

    /// <summary>A providing department publishes (or replaces) a resource of its city's catalogue (政务信息资源目录).</summary>
    public const string CatalogPublish = "catalog.publish";
    /// <summary>A providing department approves or refuses a share request.</summary>
    public const string ShareDecision = "share.decision";

    /// <summary>The current version of every body schema.</summary>
    public const uint SchemaVersion = 1;

    private static readonly EntryKind[] Table =
    [
        new EntryKind<IssuerRegistered>(IssuerRegister, "huren.issuer.registered", "issuerId", b => b.IssuerId, BodyValidator.Validate,
            b => $"issuer {b.IssuerId} {b.Name} registered" + (b.LicenseTypeCodes.Count > 0 ? $", may issue {b.LicenseTypeCodes.Count} license type(s)" : "")),
        new EntryKind<IssuerRevoked>(IssuerRevoke, "huren.issuer.revoked", "issuerId", b => b.IssuerId, BodyValidator.Validate,
            b => $"issuer {b.IssuerId} revoked: {b.Reason}"),
        new EntryKind<IssuerSucceeded>(IssuerSucceed, "huren.issuer.succeeded", "predecessorId", b => b.PredecessorId, BodyValidator.Validate,
            b => $"issuer {b.PredecessorId}'s records pass to {b.SuccessorId}"
                + (b.LicenseTypeCodes.Count > 0 ? $" (licenses of {b.LicenseTypeCodes.Count} type(s))" : "")
                + (b.SealTypes.Count > 0 ? $" (seals of {b.SealTypes.Count} type(s))" : "") + $": {b.Reason}"),
        new EntryKind<LicenseIssued>(LicenseIssue, "huren.license.issued", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => $"issued {b.Name} to {b.HolderName}, valid {b.ValidFrom} – {(b.ValidUntil.Length == 0 ? "长期" : b.ValidUntil)}"),
        new EntryKind<LicenseChanged>(LicenseChange, "huren.license.changed", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => (b.OperationCode == LicenseCodes.OperationRenew ? "renewed" : "changed")
                + (b.ChangedFields.Count > 0 ? " " + string.Join(", ", b.ChangedFields.Select(f => $"{f.Name}={f.Value}")) : "")
                + (b.NewValidUntil.Length > 0 ? $", valid until {b.NewValidUntil}" : "") + (b.Reason.Length > 0 ? $": {b.Reason}" : "")),
        new EntryKind<LicenseStatusChanged>(LicenseStatus, "huren.license.status-changed", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => $"{b.Action.ToString().ToLowerInvariant()} (status {b.StatusCode}): {b.Reason}"),
        new EntryKind<LicenseTransferred>(LicenseTransfer, "huren.license.transferred", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => $"transferred to {b.ToOrigin}: {b.Reason}"),
        new EntryKind<LicenseTransferAccepted>(LicenseTransferAccept, "huren.license.transfer-accepted", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => $"accepted from {b.FromOrigin}" + (b.NewLicenseId.Length > 0 ? $" as {b.NewLicenseId}" : "")),
        new EntryKind<LicenseUsed>(LicenseUse, "huren.license.used", "licenseId", b => b.LicenseId, BodyValidator.Validate,
            b => $"used for {b.MatterName} ({b.MatterCode}) at {b.Counter}: {b.Purpose}"),
        new EntryKind<SealRegistered>(SealRegister, "huren.seal.registered", "sealId", b => b.SealId, BodyValidator.Validate,
            b => $"seal {b.Name} registered (type {b.SealType})"),
        new EntryKind<SealRevoked>(SealRevoke, "huren.seal.revoked", "sealId", b => b.SealId, BodyValidator.Validate,
            b => $"seal revoked: {b.Reason}"),
        new EntryKind<SealUsed>(SealUse, "huren.seal.used", "sealId", b => b.SealId, BodyValidator.Validate,
            b => $"seal used for matter {b.MatterCode}"),
        new EntryKind<DataShared>(Share, "huren.data.shared", "shareId", b => b.ShareId, BodyValidator.Validate,
            b => $"shared {b.ResourceId} ({Records(b.RecordCount)}) from {b.ProviderName} to {b.ConsumerName} in {b.ConsumerOrigin}: {b.Purpose}"),
        new EntryKind<DataReceived>(Receipt, "huren.data.received", "shareId", b => b.ShareId, BodyValidator.Validate,
            b => $"received share {b.ShareId} from {b.ProviderOrigin} ({Records(b.RecordCount)})"),
        new EntryKind<CatalogResourcePublished>(CatalogPublish, "huren.catalog.published", "resourceCode", b => b.ResourceCode, BodyValidator.Validate,
            b => $"catalogue resource {b.ResourceCode} {b.Name} ({b.SharingType}) by {b.ProviderName}: {b.Fields.Count} field(s)"),
        new EntryKind<ShareDecided>(ShareDecision, "huren.share.decided", "shareId", b => b.ShareId, BodyValidator.Validate,
            b => $"share request {b.ShareId} for {b.ResourceCode}/{b.RecordId} by {b.ConsumerCode} {(b.Decision == Bodies.ShareDecision.Approved ? "approved" : $"refused ({b.ReasonCode}): {b.Reason}")}"),
    ];

    private static readonly Dictionary<string, EntryKind> ByName = Table.ToDictionary(k => k.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, EntryKind> ByBody = Table.ToDictionary(k => k.BodyType);

    /// <summary>Every kind, in the order of the standard.</summary>
    public static IReadOnlyList<EntryKind> All => Table;

    /// <summary>The kind named <paramref name="name"/>, or null for a name the standard does not have.</summary>
    public static EntryKind? Find(string? name) => name is not null && ByName.TryGetValue(name, out var kind) ? kind : null;

    /// <summary>The kind whose body is a <typeparamref name="TBody"/>.</summary>
    public static EntryKind<TBody> Of<TBody>() where TBody : class => (EntryKind<TBody>)ByBody[typeof(TBody)];

    /// <summary>
    /// Whether an entry of <paramref name="name"/> names the license's latest entry in its log as its previous one
    /// (<see cref="Relations.Previous"/>): a change, status change or transfer. An issue or accept names none.
    /// </summary>
    public static bool NamesPrevious(string? name) => name is LicenseChange or LicenseStatus or LicenseTransfer;

    /// <summary>Whether <paramref name="name"/> is written by a city root only (issuer registrations, revocations and successions), never by an issuer.</summary>
    public static bool IsRootKind(string? name) => name is IssuerRegister or IssuerRevoke or IssuerSucceed;

    /// <summary>
    /// Whether a city root may write <paramref name="name"/> under its own id: its own kinds (<see cref="IsRootKind"/>),
    /// and as a last resort <c>license.status</c> (suspend, resume its own suspension, revoke) for any license of its city.
    /// </summary>
    public static bool MayBeWrittenByRoot(string? name) => IsRootKind(name) || name is LicenseStatus;

    private static string Records(ulong count) => count == 1 ? "1 record" : $"{count.ToString(CultureInfo.InvariantCulture)} records";
}

/// <summary>How one entry refers to another (<see cref="EntryReference.Relation"/>): the names the ledger rules require.</summary>
public static class Relations
{
    /// <summary>A license use names the license's issue or accept entry.</summary>
    public const string License = "license";
    /// <summary>
    /// A license's change, status change or transfer names the license's latest entry in the same log, so that its
    /// entries there form a chain from the issue (or accept) and a bundle that leaves one out is seen to.
    /// </summary>
    public const string Previous = "previous";
    /// <summary>A transfer accept names the transferring log's transfer entry.</summary>
    public const string Transfer = "transfer";
    /// <summary>A receipt names the provider's share entry.</summary>
    public const string Share = "share";
    /// <summary>A re-share (a share of received data) names the receipt, in the same log, of the share it passes on.</summary>
    public const string Receipt = "receipt";
}

/// <summary>National codes of licenses (GB/T 36904 operation codes, 证照状态代码).</summary>
public static class LicenseCodes
{
    /// <summary>Operation: change (变更).</summary>
    public const string OperationChange = "09";
    /// <summary>Operation: renewal (延续).</summary>
    public const string OperationRenew = "02";

    /// <summary>Status 01 有效 (valid; also a resumed license).</summary>
    public const string StatusValid = "01";
    /// <summary>Status 02 暂扣 (suspended).</summary>
    public const string StatusSuspended = "02";
    /// <summary>Status 03 撤销 (withdrawn).</summary>
    public const string StatusWithdrawn = "03";
    /// <summary>Status 04 注销 (cancelled).</summary>
    public const string StatusCancelled = "04";
    /// <summary>Status 05 失效 (expired).</summary>
    public const string StatusExpired = "05";
    /// <summary>Status 06 办理转出 (transferred out).</summary>
    public const string StatusTransferredOut = "06";
    /// <summary>Status 07 吊销 (revoked).</summary>
    public const string StatusRevoked = "07";

    /// <summary>The status codes a revocation may carry: 07 吊销, 04 注销, 03 撤销.</summary>
    public static IReadOnlyList<string> RevocationStatuses { get; } = [StatusRevoked, StatusCancelled, StatusWithdrawn];

    /// <summary>A status code in words (<c>revoked (07 吊销)</c>); <paramref name="fallback"/> (else the code) when unknown.</summary>
    public static string Describe(string statusCode, string? fallback = null) => statusCode switch
    {
        StatusValid => "valid (01 有效)",
        StatusSuspended => "suspended (02 暂扣)",
        StatusWithdrawn => "withdrawn (03 撤销)",
        StatusCancelled => "cancelled (04 注销)",
        StatusExpired => "expired (05 失效)",
        StatusTransferredOut => "transferred out (06 办理转出)",
        StatusRevoked => "revoked (07 吊销)",
        _ => fallback ?? statusCode,
    };
}
