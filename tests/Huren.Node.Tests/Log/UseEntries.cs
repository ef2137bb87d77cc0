using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Node.Tests.Log;

/// <summary>Small signed <c>license.use</c> entries for tests of the append path, whose content does not matter.</summary>
internal static class UseEntries
{
    /// <summary>The leaf (exact SignedEntry bytes) of a <c>license.use</c> entry of <paramref name="recordId"/>, signed by <paramref name="key"/>.</summary>
    public static byte[] Leaf(string origin, string issuerId, string recordId, SigningKey key) => EntrySigner.SignToLeaf(new Entry
    {
        Kind = EntryKinds.LicenseUse, RecordId = recordId, IssuerId = issuerId, Origin = origin, TimeUnixMs = 1_795_000_000_000,
        SchemaId = "huren.license.used", SchemaVersion = 1, Body = [1],
    }, key);
}
