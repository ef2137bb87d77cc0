using System.Globalization;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Seals;

/// <summary>
/// The rules of <c>seal.register</c> and <c>seal.use</c> bodies that need the GB/T 38540 reader (which the schema
/// validators cannot use): the DER parses, agrees with the body's fields, and its signatures verify. Stateless, so the
/// node runs them on the submitter's thread before ordering and a client runs them before sending; whether the seal
/// is registered, revoked or the writer's to register is the ledger's part. Reasons name the body field.
/// </summary>
public static class SealEntryRules
{
    /// <summary>
    /// The checks of a seal entry's body as of the entry's time; null for other kinds. A body that does not decode is
    /// left to the schema validator (null here).
    /// </summary>
    public static SealVerification? Check(Entry entry, SealVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(verifier);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(entry.TimeUnixMs);
        return entry.Kind switch
        {
            EntryKinds.SealRegister when EntryKinds.Of<SealRegistered>().TryDecode(entry.Body, out var registered, out _) => CheckRegistration(registered!, time, verifier),
            EntryKinds.SealUse when EntryKinds.Of<SealUsed>().TryDecode(entry.Body, out var used, out _) => CheckUse(used!, time, verifier),
            _ => null,
        };
    }

    /// <summary>
    /// <c>seal.register</c>: the <c>SES_Seal</c> parses; its esID is the seal id; its type, name and validity (as days in
    /// China time) are the body's; the maker's signature verifies and the maker certificate was valid when the seal was
    /// made; and it was not made after the entry's time (beyond the allowed clock skew).
    /// </summary>
    public static SealVerification CheckRegistration(SealRegistered body, DateTimeOffset entryTime, SealVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(verifier);
        if (!SesCodec.TryParseSeal(body.SesSeal, out var seal, out var error)) return new SealVerification(SealVerdict.Malformed, $"body.sesSeal: {error}");
        var property = seal.Info.Property;
        var mismatch = !string.Equals(seal.EsId, body.SealId, StringComparison.Ordinal) ? $"body.sealId: '{body.SealId}' is not the seal's esID '{seal.EsId}'"
            : !string.Equals(TypeCode(seal), body.SealType, StringComparison.Ordinal) ? $"body.sealType: '{body.SealType}' is not the seal's type {TypeCode(seal)} (SES_ESPropertyInfo.type)"
            : !string.Equals(property.Name, body.Name, StringComparison.Ordinal) ? $"body.name: '{body.Name}' is not the seal's name '{property.Name}'"
            : Day(property.ValidStart) != body.ValidFrom ? $"body.validFrom: {body.ValidFrom} is not the day the seal's validity starts ({Day(property.ValidStart)}, China time)"
            : Day(property.ValidEnd) != body.ValidUntil ? $"body.validUntil: {body.ValidUntil} is not the day the seal's validity ends ({Day(property.ValidEnd)}, China time)"
            : null;
        if (mismatch is not null) return new SealVerification(SealVerdict.Malformed, mismatch) { Seal = seal };
        var check = verifier.VerifySeal(seal);
        if (!check.IsValid) return check with { Reason = $"body.sesSeal: {check.Reason}" };
        if (property.CreateDate > entryTime + SealVerifier.AllowedClockSkew)
        {
            return check with { Verdict = SealVerdict.NotYetValid, Reason = $"body.sesSeal: seal {seal.EsId} was made at {SealVerifier.Show(property.CreateDate)}, after the entry's time {SealVerifier.Show(entryTime)}" };
        }
        return check;
    }

    /// <summary>
    /// <c>seal.use</c>: the <c>SES_Signature</c> parses; its seal's esID is the seal id; the document digest is the
    /// signed <c>dataHash</c>; and the signature verifies in full (<see cref="SealVerifier"/>) as of the entry's time.
    /// </summary>
    public static SealVerification CheckUse(SealUsed body, DateTimeOffset entryTime, SealVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(verifier);
        if (!SesCodec.TryParseSignature(body.SesSignature, out var signature, out var error)) return new SealVerification(SealVerdict.Malformed, $"body.sesSignature: {error}");
        var sealId = signature.Seal.EsId;
        if (!string.Equals(sealId, body.SealId, StringComparison.Ordinal))
            return new SealVerification(SealVerdict.Malformed, $"body.sealId: '{body.SealId}' is not the esID '{sealId}' of the seal the signature applies") { Signature = signature, Seal = signature.Seal };
        if (!body.DocumentDigest.AsSpan().SequenceEqual(signature.ToSign.DataHash))
            return new SealVerification(SealVerdict.BadSignature, "body.documentDigest: is not the document digest (dataHash) the SES_Signature signs") { Signature = signature, Seal = signature.Seal };
        var check = verifier.Verify(signature, body.DocumentDigest, entryTime);
        return check.IsValid ? check : check with { Reason = $"body.sesSignature: {check.Reason}" };
    }

    /// <summary>The <c>seal.register</c> body for <paramref name="seal"/>: every field but the owner's code comes from the seal.</summary>
    public static SealRegistered Registration(SesSeal seal, string ownerCode)
    {
        ArgumentNullException.ThrowIfNull(seal);
        var property = seal.Info.Property;
        return new SealRegistered
        {
            SealId = seal.EsId,
            Name = property.Name,
            SealType = TypeCode(seal),
            OwnerCode = ownerCode ?? "",
            SesSeal = seal.Der,
            ValidFrom = Day(property.ValidStart),
            ValidUntil = Day(property.ValidEnd),
        };
    }

    /// <summary>The <c>seal.use</c> body recording <paramref name="signature"/>: the seal id and document SM3 come from it.</summary>
    public static SealUsed Use(SesSignature signature, string matterCode = "")
    {
        ArgumentNullException.ThrowIfNull(signature);
        return new SealUsed
        {
            SealId = signature.Seal.EsId,
            DocumentDigest = signature.ToSign.DataHash,
            DigestAlgorithm = Digests.Sm3Name,
            SesSignature = signature.Der,
            MatterCode = matterCode ?? "",
        };
    }

    /// <summary>The seal's type as the body writes it (<c>SES_ESPropertyInfo.type</c> in decimal).</summary>
    public static string TypeCode(SesSeal seal) => seal.Info.Property.Type.ToString(CultureInfo.InvariantCulture);

    /// <summary>The calendar day of <paramref name="instant"/> in China Standard Time, as bodies write dates.</summary>
    public static string Day(DateTimeOffset instant) => LicenseVerdictRules.DayOf(instant).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
