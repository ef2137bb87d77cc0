using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Cli.Output;

/// <summary>One line saying what an entry records, from its body, for trace trees and reports.</summary>
internal static class EntrySummary
{
    public static string Of(Entry entry)
    {
        try
        {
            return entry.Kind switch
            {
                EntryKinds.IssuerRegister => Describe(CanonicalCodec.Decode<IssuerRegistered>(entry.Body)),
                EntryKinds.IssuerRevoke => $"issuer {Body<IssuerRevoked>(entry).IssuerId} revoked: {Body<IssuerRevoked>(entry).Reason}",
                EntryKinds.LicenseIssue => Describe(CanonicalCodec.Decode<LicenseIssued>(entry.Body)),
                EntryKinds.LicenseChange => Describe(CanonicalCodec.Decode<LicenseChanged>(entry.Body)),
                EntryKinds.LicenseStatus => Describe(CanonicalCodec.Decode<LicenseStatusChanged>(entry.Body)),
                EntryKinds.LicenseTransfer => $"transferred to {Body<LicenseTransferred>(entry).ToOrigin}: {Body<LicenseTransferred>(entry).Reason}",
                EntryKinds.LicenseTransferAccept => Describe(CanonicalCodec.Decode<LicenseTransferAccepted>(entry.Body)),
                EntryKinds.LicenseUse => Describe(CanonicalCodec.Decode<LicenseUsed>(entry.Body)),
                EntryKinds.SealRegister => $"seal {Body<SealRegistered>(entry).Name} registered (type {Body<SealRegistered>(entry).SealType})",
                EntryKinds.SealRevoke => $"seal revoked: {Body<SealRevoked>(entry).Reason}",
                EntryKinds.SealUse => $"seal used for matter {Body<SealUsed>(entry).MatterCode}",
                EntryKinds.Share => Describe(CanonicalCodec.Decode<DataShared>(entry.Body)),
                EntryKinds.Receipt => $"received share {Body<DataReceived>(entry).ShareId} from {Body<DataReceived>(entry).ProviderOrigin} ({Body<DataReceived>(entry).RecordCount} records)",
                _ => entry.Kind,
            };
        }
        catch (FormatException)
        {
            // The node checked the body when it accepted the entry; a body this CLI cannot read is newer than it.
            return $"{entry.Kind} (body not readable by this version)";
        }
    }

    private static T Body<T>(Entry entry) => CanonicalCodec.Decode<T>(entry.Body);

    private static string Describe(IssuerRegistered b) => $"issuer {b.IssuerId} {b.Name} registered" + (b.LicenseTypeCodes.Count > 0 ? $", may issue {b.LicenseTypeCodes.Count} license type(s)" : "");

    private static string Describe(LicenseIssued b) => $"issued {b.Name} to {b.HolderName}, valid {b.ValidFrom} – {(b.ValidUntil.Length == 0 ? "长期" : b.ValidUntil)}";

    private static string Describe(LicenseChanged b) => (b.OperationCode == "02" ? "renewed" : "changed")
        + (b.ChangedFields.Count > 0 ? " " + string.Join(", ", b.ChangedFields.Select(f => $"{f.Name}={f.Value}")) : "")
        + (b.NewValidUntil.Length > 0 ? $", valid until {b.NewValidUntil}" : "") + (b.Reason.Length > 0 ? $": {b.Reason}" : "");

    private static string Describe(LicenseStatusChanged b) => $"{b.Action.ToString().ToLowerInvariant()} (status {b.StatusCode}): {b.Reason}";

    private static string Describe(LicenseTransferAccepted b) => $"accepted from {b.FromOrigin}" + (b.NewLicenseId.Length > 0 ? $" as {b.NewLicenseId}" : "");

    private static string Describe(LicenseUsed b) => $"used for {b.MatterName} ({b.MatterCode}) at {b.Counter}: {b.Purpose}";

    private static string Describe(DataShared b) => $"shared {b.ResourceId} ({b.RecordCount} records) from {b.ProviderName} to {b.ConsumerName} in {b.ConsumerOrigin}: {b.Purpose}";
}
