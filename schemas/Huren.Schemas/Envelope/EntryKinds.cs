namespace Huren.Schemas.Envelope;

/// <summary>The entry kinds of the Huren standard, and the body schema each one carries.</summary>
public static class EntryKinds
{
    /// <summary>A city root registers a department as an issuer.</summary>
    public const string IssuerRegister = "issuer.register";
    /// <summary>A city root revokes an issuer.</summary>
    public const string IssuerRevoke = "issuer.revoke";
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

    /// <summary>Every kind with its body schema id; version 1 of each.</summary>
    public static IReadOnlyDictionary<string, (string SchemaId, Type BodyType)> Schemas { get; } =
        new Dictionary<string, (string, Type)>(StringComparer.Ordinal)
        {
            [IssuerRegister] = ("huren.issuer.registered", typeof(Bodies.IssuerRegistered)),
            [IssuerRevoke] = ("huren.issuer.revoked", typeof(Bodies.IssuerRevoked)),
            [LicenseIssue] = ("huren.license.issued", typeof(Bodies.LicenseIssued)),
            [LicenseChange] = ("huren.license.changed", typeof(Bodies.LicenseChanged)),
            [LicenseStatus] = ("huren.license.status-changed", typeof(Bodies.LicenseStatusChanged)),
            [LicenseTransfer] = ("huren.license.transferred", typeof(Bodies.LicenseTransferred)),
            [LicenseTransferAccept] = ("huren.license.transfer-accepted", typeof(Bodies.LicenseTransferAccepted)),
            [LicenseUse] = ("huren.license.used", typeof(Bodies.LicenseUsed)),
            [SealRegister] = ("huren.seal.registered", typeof(Bodies.SealRegistered)),
            [SealRevoke] = ("huren.seal.revoked", typeof(Bodies.SealRevoked)),
            [SealUse] = ("huren.seal.used", typeof(Bodies.SealUsed)),
            [Share] = ("huren.data.shared", typeof(Bodies.DataShared)),
            [Receipt] = ("huren.data.received", typeof(Bodies.DataReceived)),
        };

    /// <summary>The current version of every body schema.</summary>
    public const uint SchemaVersion = 1;
}
