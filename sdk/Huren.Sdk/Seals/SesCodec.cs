using System.Diagnostics.CodeAnalysis;
using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Seals;

/// <summary>
/// Reads and writes GB/T 38540 <c>SES_Seal</c> and <c>SES_Signature</c> DER with BouncyCastle's ASN.1 classes, and
/// reads GM/T 0031 v1 (told apart by element count). Parsing is total: any input gives a value or a reason, never an
/// exception. What parses is exactly what <see cref="EncodeSeal"/> / <see cref="EncodeSignature"/> write for the
/// parsed values (checked on every parse), so a seal read and written again is the same bytes.
/// </summary>
public static class SesCodec
{
    /// <summary>Reads an <c>SES_Seal</c> (v4) or <c>SESeal</c> (v1).</summary>
    /// <returns>False with <paramref name="error"/> naming the field and the fault when the bytes are not one.</returns>
    public static bool TryParseSeal(byte[] der, [NotNullWhen(true)] out SesSeal? seal, [NotNullWhen(false)] out string? error)
    {
        seal = null;
        error = Prepare(der, "SES_Seal", out var root);
        if (error is not null) return false;
        error = SesReader.Run(() => SesReader.ReadSeal(root!, der, "SES_Seal"), out seal);
        return error is null;
    }

    /// <summary>Reads an <c>SES_Signature</c> (v4 or v1).</summary>
    /// <returns>False with <paramref name="error"/> naming the field and the fault when the bytes are not one.</returns>
    public static bool TryParseSignature(byte[] der, [NotNullWhen(true)] out SesSignature? signature, [NotNullWhen(false)] out string? error)
    {
        signature = null;
        error = Prepare(der, "SES_Signature", out var root);
        if (error is not null) return false;
        error = SesReader.Run(() => SesReader.ReadSignature(root!, der), out signature);
        return error is null;
    }

    /// <summary>DER of a v4 <c>SES_SealInfo</c>: the bytes a seal maker signs.</summary>
    /// <exception cref="ArgumentException">A value breaks GB/T 38540 or <see cref="SesLimits"/>; the message names it.</exception>
    public static byte[] EncodeSealInfo(SesSealInfo info)
        => Der(SealInfo(Require(SesRules.Check(info, SesFormat.V4), info)));

    /// <summary>DER of a v4 <c>SES_Seal</c> from its four fields.</summary>
    /// <exception cref="ArgumentException">A value breaks GB/T 38540 or <see cref="SesLimits"/>; the message names it.</exception>
    public static byte[] EncodeSeal(SesSealInfo info, byte[] makerCertificate, string signatureAlgorithm, byte[] signedValue)
    {
        Require(SesRules.Check(info, SesFormat.V4) ?? SesRules.CheckSignedBy(signatureAlgorithm, makerCertificate, signedValue, "SES_Seal"), info);
        return Der(new DerSequence(SealInfo(info), new DerOctetString(makerCertificate), new DerObjectIdentifier(signatureAlgorithm),
            new DerBitString(signedValue)));
    }

    /// <summary>DER of a v4 <c>TBS_Sign</c>: the bytes a signer signs. The seal goes in as its exact DER.</summary>
    /// <exception cref="ArgumentException">A value breaks GB/T 38540 or <see cref="SesLimits"/>; the message names it.</exception>
    public static byte[] EncodeTbsSign(TbsSign toSign) => Der(TbsSignElement(toSign));

    /// <summary>DER of a v4 <c>SES_Signature</c> from its fields.</summary>
    /// <exception cref="ArgumentException">A value breaks GB/T 38540 or <see cref="SesLimits"/>; the message names it.</exception>
    public static byte[] EncodeSignature(TbsSign toSign, byte[] signerCertificate, string signatureAlgorithm, byte[] signature, byte[]? timeStamp)
    {
        var tbs = TbsSignElement(toSign);
        Require(SesRules.CheckSignedBy(signatureAlgorithm, signerCertificate, signature, "SES_Signature") ?? SesRules.CheckTimeStamp(timeStamp), toSign);
        var vector = new Asn1EncodableVector(tbs, new DerOctetString(signerCertificate), new DerObjectIdentifier(signatureAlgorithm),
            new DerBitString(signature));
        if (timeStamp is not null) vector.Add(new DerTaggedObject(true, 0, new DerBitString(timeStamp)));
        return Der(new DerSequence(vector));
    }

    /// <summary>The GeneralizedTime Huren writes for an instant: UTC, a fraction only when not zero (DER).</summary>
    private static DerGeneralizedTime Time(DateTimeOffset instant) => new(instant.UtcDateTime);

    private static Asn1Encodable TbsSignElement(TbsSign toSign)
    {
        Require(SesRules.Check(toSign, SesFormat.V4), toSign);
        var vector = new Asn1EncodableVector(DerInteger.ValueOf(toSign.Version), Asn1Object.FromByteArray(toSign.Seal.Der), Time(toSign.TimeInfo),
            new DerBitString(toSign.DataHash), new DerIA5String(toSign.PropertyInfo));
        if (toSign.Extensions is not null) vector.Add(new DerTaggedObject(true, 0, Extensions(toSign.Extensions)));
        return new DerSequence(vector);
    }

    private static DerSequence SealInfo(SesSealInfo info)
    {
        var header = new DerSequence(new DerIA5String(SesHeader.Id), DerInteger.ValueOf(info.Header.Version), new DerIA5String(info.Header.VendorId));
        var p = info.Property;
        var certList = p.CertListType == SesCertListType.Certificates
            ? new DerSequence(p.Certificates.Select(c => (Asn1Encodable)new DerOctetString(c)).ToArray())
            : new DerSequence(p.CertificateDigests.Select(d => (Asn1Encodable)new DerSequence(new DerPrintableString(d.Type), new DerOctetString(d.Value))).ToArray());
        var property = new DerSequence(DerInteger.ValueOf(p.Type), new DerUtf8String(p.Name), DerInteger.ValueOf((int)p.CertListType), certList,
            Time(p.CreateDate), Time(p.ValidStart), Time(p.ValidEnd));
        var picture = new DerSequence(new DerIA5String(info.Picture.Type), new DerOctetString(info.Picture.Data),
            DerInteger.ValueOf(info.Picture.WidthMm), DerInteger.ValueOf(info.Picture.HeightMm));
        var vector = new Asn1EncodableVector(header, new DerIA5String(info.EsId), property, picture);
        if (info.Extensions is not null) vector.Add(Extensions(info.Extensions));
        return new DerSequence(vector);
    }

    private static DerSequence Extensions(IReadOnlyList<SesExtension> extensions)
    {
        var items = new Asn1Encodable[extensions.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var e = extensions[i];
            // critical is DEFAULT FALSE: DER leaves a default value out.
            items[i] = e.Critical
                ? new DerSequence(new DerObjectIdentifier(e.Oid), DerBoolean.True, new DerOctetString(e.Value))
                : new DerSequence(new DerObjectIdentifier(e.Oid), new DerOctetString(e.Value));
        }
        return new DerSequence(items);
    }

    private static string? Prepare(byte[] der, string what, out Asn1Object? root)
    {
        root = null;
        if (der is null || der.Length == 0) return $"{what}: empty input";
        if (der.Length > SesLimits.MaxStructureBytes) return $"{what}: {der.Length} bytes, more than the {SesLimits.MaxStructureBytes}-byte limit";
        if (DerShape.Check(der) is { } shape) return $"{what}: {shape}";
        return SesReader.Run(() => Asn1Object.FromByteArray(der), out root) is { } error ? $"{what}: not DER: {error}" : null;
    }

    private static T Require<T>(string? error, T value)
        => error is null ? value : throw new ArgumentException(error);

    private static byte[] Der(Asn1Encodable element) => element.GetEncoded(Asn1Encodable.Der);
}
