using System.Globalization;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Huren.Sdk.Seals;

/// <summary>
/// Reads seal structures from BouncyCastle's parsed ASN.1 objects, checking every element's type and count; errors name
/// the field path (<c>SES_Seal.eSealInfo.property.name</c>). Only <see cref="SesCodec"/> uses it.
/// </summary>
internal static class SesReader
{
    /// <summary>Runs a read, turning any refusal — ours or the library's — into a message.</summary>
    public static string? Run<T>(Func<T> read, out T? value)
    {
        value = default;
        try
        {
            value = read();
            return null;
        }
        catch (SesFormatException ex)
        {
            return ex.Message;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException or InvalidOperationException
                                       or FormatException or OverflowException or GeneralSecurityException or CryptoException)
        {
            // BouncyCastle reports bad encodings with these (Asn1Exception is an IOException, Asn1ParsingException an
            // InvalidOperationException, a bad certificate a CertificateException); here they only mean bad input.
            return ex.Message;
        }
    }

    public static SesSeal ReadSeal(Asn1Encodable element, byte[] der, string path)
    {
        var seal = Sequence(element, path);
        switch (seal.Count)
        {
            case 4:
            {
                var info = ReadSealInfo(seal[0], SesFormat.V4, $"{path}.eSealInfo");
                var certificate = Octets(seal[1], $"{path}.cert");
                var algorithm = Oid(seal[2], $"{path}.signAlgID");
                var signedValue = Bits(seal[3], $"{path}.signedValue");
                Fail(path, SesRules.Check(info, SesFormat.V4) ?? SesRules.CheckSignedBy(algorithm, certificate, signedValue, path));
                if (!SesCodec.EncodeSeal(info, certificate, algorithm, signedValue).AsSpan().SequenceEqual(der)) NotCanonical(path);
                return new SesSeal(SesFormat.V4, info, certificate, algorithm, signedValue, der, seal[0].GetEncoded(Asn1Encodable.Der));
            }
            case 2:
            {
                var info = ReadSealInfo(seal[0], SesFormat.V1, $"{path}.esealInfo");
                var signInfo = Sequence(seal[1], $"{path}.signInfo", 3, 3);
                var certificate = Octets(signInfo[0], $"{path}.signInfo.cert");
                var algorithm = Oid(signInfo[1], $"{path}.signInfo.signatureAlgorithm");
                var signedValue = Bits(signInfo[2], $"{path}.signInfo.signData");
                Fail(path, SesRules.Check(info, SesFormat.V1) ?? SesRules.CheckSignedBy(algorithm, certificate, signedValue, $"{path}.signInfo"));
                // GM/T 0031: the maker signs SEQUENCE { sealInfo, cert, signatureAlgorithm }.
                var signed = new DerSequence(seal[0], signInfo[0], signInfo[1]).GetEncoded(Asn1Encodable.Der);
                return new SesSeal(SesFormat.V1, info, certificate, algorithm, signedValue, der, signed);
            }
            default:
                throw new SesFormatException($"{path}: has {seal.Count} elements; a GB/T 38540 seal has 4, a GM/T 0031 seal 2");
        }
    }

    public static SesSignature ReadSignature(Asn1Encodable element, byte[] der)
    {
        const string path = "SES_Signature";
        var signature = Sequence(element, path);
        if (signature.Count is 4 or 5)
        {
            var toSign = ReadTbsSignV4(signature[0], $"{path}.toSign");
            var certificate = Octets(signature[1], $"{path}.cert");
            var algorithm = Oid(signature[2], $"{path}.signatureAlgID");
            var value = Bits(signature[3], $"{path}.signature");
            byte[]? timeStamp = null;
            if (signature.Count == 5) timeStamp = Bits(Explicit(signature[4], 0, $"{path}.timeStamp"), $"{path}.timeStamp");
            Fail(path, SesRules.CheckSignedBy(algorithm, certificate, value, path) ?? SesRules.CheckTimeStamp(timeStamp));
            if (!SesCodec.EncodeSignature(toSign, certificate, algorithm, value, timeStamp).AsSpan().SequenceEqual(der)) NotCanonical(path);
            return new SesSignature(SesFormat.V4, toSign, certificate, algorithm, value, timeStamp, der, signature[0].GetEncoded(Asn1Encodable.Der));
        }
        if (signature.Count == 2)
        {
            var tbsPath = $"{path}.toSign";
            var tbs = Sequence(signature[0], tbsPath, 7, 7);
            var version = Integer(tbs[0], $"{tbsPath}.version");
            var seal = ReadSeal(tbs[1], tbs[1].GetEncoded(Asn1Encodable.Der), $"{tbsPath}.eseal");
            var time = TimeText(Bits(tbs[2], $"{tbsPath}.timeInfo"), $"{tbsPath}.timeInfo");
            var dataHash = Bits(tbs[3], $"{tbsPath}.dataHash");
            var propertyInfo = Ia5(tbs[4], $"{tbsPath}.propertyInfo");
            var certificate = Octets(tbs[5], $"{tbsPath}.cert");
            var algorithm = Oid(tbs[6], $"{tbsPath}.signatureAlgorithm");
            var value = Bits(signature[1], $"{path}.signature");
            var toSign = new TbsSign(version, seal, time, dataHash, propertyInfo, null);
            Fail(path, SesRules.Check(toSign, SesFormat.V1) ?? SesRules.CheckSignedBy(algorithm, certificate, value, tbsPath));
            return new SesSignature(SesFormat.V1, toSign, certificate, algorithm, value, null, der, signature[0].GetEncoded(Asn1Encodable.Der));
        }
        throw new SesFormatException($"{path}: has {signature.Count} elements; a GB/T 38540 signature has 4 or 5, a GM/T 0031 signature 2");
    }

    private static TbsSign ReadTbsSignV4(Asn1Encodable element, string path)
    {
        var tbs = Sequence(element, path, 5, 6);
        var version = Integer(tbs[0], $"{path}.version");
        var seal = ReadSeal(tbs[1], tbs[1].GetEncoded(Asn1Encodable.Der), $"{path}.eseal");
        if (seal.Format != SesFormat.V4) throw new SesFormatException($"{path}.eseal: a GM/T 0031 seal inside a GB/T 38540 signature");
        var time = GeneralizedTime(tbs[2], $"{path}.timeInfo");
        var dataHash = Bits(tbs[3], $"{path}.dataHash");
        var propertyInfo = Ia5(tbs[4], $"{path}.propertyInfo");
        var extensions = tbs.Count == 6 ? Extensions(Explicit(tbs[5], 0, $"{path}.extDatas"), $"{path}.extDatas") : null;
        return new TbsSign(version, seal, time, dataHash, propertyInfo, extensions);
    }

    private static SesSealInfo ReadSealInfo(Asn1Encodable element, SesFormat format, string path)
    {
        var info = Sequence(element, path, 4, 5);
        var header = Sequence(info[0], $"{path}.header", 3, 3);
        var id = Ia5(header[0], $"{path}.header.id");
        if (id != SesHeader.Id) throw new SesFormatException($"{path}.header.id: must be \"{SesHeader.Id}\", got \"{Printable(id)}\"");
        var version = Integer(header[1], $"{path}.header.version");
        var vendorId = Ia5(header[2], $"{path}.header.vid");
        var esId = Ia5(info[1], $"{path}.esID");
        var property = format == SesFormat.V4 ? ReadPropertyV4(info[2], $"{path}.property") : ReadPropertyV1(info[2], $"{path}.property");
        var picture = Sequence(info[3], $"{path}.picture", 4, 4);
        var pictureInfo = new SesPictureInfo(Ia5(picture[0], $"{path}.picture.type"), Octets(picture[1], $"{path}.picture.data"),
            Integer(picture[2], $"{path}.picture.width"), Integer(picture[3], $"{path}.picture.height"));
        var extensions = info.Count == 5 ? Extensions(info[4], $"{path}.extDatas") : null;
        return new SesSealInfo(new SesHeader(version, vendorId), esId, property, pictureInfo, extensions);
    }

    private static SesPropertyInfo ReadPropertyV4(Asn1Encodable element, string path)
    {
        var property = Sequence(element, path);
        if (property.Count != 7) throw new SesFormatException($"{path}: has {property.Count} elements; a GB/T 38540 property has 7");
        var type = Integer(property[0], $"{path}.type");
        var name = Utf8(property[1], $"{path}.name");
        var listType = Integer(property[2], $"{path}.certListType");
        var list = Sequence(property[3], $"{path}.certList", 0, SesLimits.MaxCertificates);
        var certificates = new List<byte[]>();
        var digests = new List<SesCertDigest>();
        switch (listType)
        {
            case (int)SesCertListType.Certificates:
                for (var i = 0; i < list.Count; i++) certificates.Add(Octets(list[i], $"{path}.certList[{i}]"));
                break;
            case (int)SesCertListType.CertificateDigests:
                for (var i = 0; i < list.Count; i++)
                {
                    var digest = Sequence(list[i], $"{path}.certList[{i}]", 2, 2);
                    digests.Add(new SesCertDigest(Printable(digest[0], $"{path}.certList[{i}].type"), Octets(digest[1], $"{path}.certList[{i}].value")));
                }
                break;
            default:
                throw new SesFormatException($"{path}.certListType: must be 1 (certificates) or 2 (certificate digests), got {listType}");
        }
        return new SesPropertyInfo(type, name, (SesCertListType)listType, certificates, digests,
            GeneralizedTime(property[4], $"{path}.createDate"), GeneralizedTime(property[5], $"{path}.validStart"),
            GeneralizedTime(property[6], $"{path}.validEnd"));
    }

    private static SesPropertyInfo ReadPropertyV1(Asn1Encodable element, string path)
    {
        var property = Sequence(element, path);
        if (property.Count != 6) throw new SesFormatException($"{path}: has {property.Count} elements; a GM/T 0031 property has 6");
        var list = Sequence(property[2], $"{path}.certList", 0, SesLimits.MaxCertificates);
        var certificates = new List<byte[]>();
        for (var i = 0; i < list.Count; i++) certificates.Add(Octets(list[i], $"{path}.certList[{i}]"));
        return new SesPropertyInfo(Integer(property[0], $"{path}.type"), Utf8(property[1], $"{path}.name"), SesCertListType.Certificates,
            certificates, [], AnyTime(property[3], $"{path}.createDate"), AnyTime(property[4], $"{path}.validStart"),
            AnyTime(property[5], $"{path}.validEnd"));
    }

    private static List<SesExtension> Extensions(Asn1Encodable element, string path)
    {
        var list = Sequence(element, path, 0, SesLimits.MaxExtensions);
        var extensions = new List<SesExtension>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var item = Sequence(list[i], itemPath, 2, 3);
            var critical = false;
            if (item.Count == 3)
            {
                if (item[1] is not DerBoolean flag) throw Unexpected($"{itemPath}.critical", "BOOLEAN", item[1]);
                if (flag.IsFalse) throw new SesFormatException($"{itemPath}.critical: FALSE is the default and DER leaves it out");
                critical = true;
            }
            extensions.Add(new SesExtension(Oid(item[0], $"{itemPath}.extnID"), critical, Octets(item[^1], $"{itemPath}.extnValue")));
        }
        return extensions;
    }

    private static Asn1Sequence Sequence(Asn1Encodable element, string path, int min = 0, int max = int.MaxValue)
    {
        if (element is not Asn1Sequence sequence) throw Unexpected(path, "SEQUENCE", element);
        if (sequence.Count < min || sequence.Count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new SesFormatException($"{path}: has {sequence.Count} elements, expected {expected}");
        }
        return sequence;
    }

    private static Asn1Encodable Explicit(Asn1Encodable element, int tag, string path)
    {
        if (element is not Asn1TaggedObject tagged || tagged.TagClass != Asn1Tags.ContextSpecific || tagged.TagNo != tag || !tagged.IsExplicit())
            throw Unexpected(path, $"[{tag}] EXPLICIT", element);
        return tagged.GetExplicitBaseObject();
    }

    private static int Integer(Asn1Encodable element, string path)
    {
        if (element is not DerInteger integer) throw Unexpected(path, "INTEGER", element);
        if (!integer.TryGetIntValueExact(out var value)) throw new SesFormatException($"{path}: {integer.Value} is out of range");
        return value;
    }

    private static string Ia5(Asn1Encodable element, string path)
    {
        if (element is not DerIA5String text) throw Unexpected(path, "IA5String", element);
        // The octets, not GetString(): BouncyCastle turns bytes above 0x7F into '?' when it makes the string.
        foreach (var b in text.GetOctets())
        {
            if (b > 0x7F) throw new SesFormatException($"{path}: not IA5 (ASCII) text");
        }
        return text.GetString();
    }

    private static string Utf8(Asn1Encodable element, string path)
    {
        if (element is not DerUtf8String text) throw Unexpected(path, "UTF8String", element);
        try
        {
            return text.GetString();
        }
        catch (DecoderFallbackException)
        {
            throw new SesFormatException($"{path}: not valid UTF-8");
        }
    }

    private static string Printable(Asn1Encodable element, string path)
    {
        if (element is not DerPrintableString text) throw Unexpected(path, "PrintableString", element);
        var value = text.GetString();
        if (!DerPrintableString.IsPrintableString(value)) throw new SesFormatException($"{path}: not PrintableString characters");
        return value;
    }

    private static byte[] Octets(Asn1Encodable element, string path)
        => element is Asn1OctetString octets ? octets.GetOctets() : throw Unexpected(path, "OCTET STRING", element);

    private static byte[] Bits(Asn1Encodable element, string path)
    {
        if (element is not DerBitString bits) throw Unexpected(path, "BIT STRING", element);
        if (bits.PadBits != 0) throw new SesFormatException($"{path}: has {bits.PadBits} unused bits; signatures and digests are whole bytes");
        return bits.GetOctets();
    }

    private static string Oid(Asn1Encodable element, string path)
        => element is DerObjectIdentifier oid ? oid.Id : throw Unexpected(path, "OBJECT IDENTIFIER", element);

    private static DateTimeOffset GeneralizedTime(Asn1Encodable element, string path)
        => element is Asn1GeneralizedTime time ? ParseTime(time.TimeString, fourDigitYear: true, path) : throw Unexpected(path, "GeneralizedTime", element);

    private static DateTimeOffset AnyTime(Asn1Encodable element, string path) => element switch
    {
        Asn1UtcTime utc => ParseTime(utc.TimeString, fourDigitYear: false, path),
        // Some GM/T 0031 makers write GeneralizedTime where the standard says UTCTime; both name one instant.
        Asn1GeneralizedTime generalized => ParseTime(generalized.TimeString, fourDigitYear: true, path),
        _ => throw Unexpected(path, "UTCTime", element),
    };

    /// <summary>GM/T 0031 puts the signing time in a BIT STRING: the text of a GeneralizedTime or UTCTime.</summary>
    private static DateTimeOffset TimeText(byte[] bits, string path)
    {
        foreach (var b in bits)
        {
            if (b is < 0x20 or > 0x7E) throw new SesFormatException($"{path}: not the text of a time (time stamp tokens are not read)");
        }
        var text = Encoding.ASCII.GetString(bits);
        return ParseTime(text, fourDigitYear: text.Length >= 15, path);
    }

    private static DateTimeOffset ParseTime(string text, bool fourDigitYear, string path)
    {
        // DER times are UTC ('Z'), seconds present; GeneralizedTime may carry a fraction.
        var formats = fourDigitYear ? new[] { "yyyyMMddHHmmss'Z'", "yyyyMMddHHmmss.FFFFFFF'Z'" } : ["yyMMddHHmmss'Z'"];
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        // RFC 5280: a two-digit year 50-99 is 19xx, 00-49 is 20xx.
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = 2049;
        if (!DateTime.TryParseExact(text, formats, culture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant))
            throw new SesFormatException($"{path}: \"{Printable(text)}\" is not a UTC time of the form {formats[0].Replace("'", "", StringComparison.Ordinal)}");
        return new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc));
    }

    private static void Fail(string path, string? error)
    {
        if (error is not null) throw new SesFormatException($"{path}: {error}");
    }

    private static void NotCanonical(string path)
        => throw new SesFormatException($"{path}: its values do not encode back to the same bytes (not the DER form GB/T 38540 requires)");

    private static SesFormatException Unexpected(string path, string expected, Asn1Encodable? found)
        => new($"{path}: expected {expected}, found {Describe(found)}");

    private static string Describe(Asn1Encodable? element) => element switch
    {
        null => "nothing",
        Asn1Sequence => "SEQUENCE",
        Asn1Set => "SET",
        DerInteger => "INTEGER",
        DerBoolean => "BOOLEAN",
        Asn1OctetString => "OCTET STRING",
        DerBitString => "BIT STRING",
        DerIA5String => "IA5String",
        DerUtf8String => "UTF8String",
        DerPrintableString => "PrintableString",
        DerObjectIdentifier => "OBJECT IDENTIFIER",
        Asn1GeneralizedTime => "GeneralizedTime",
        Asn1UtcTime => "UTCTime",
        Asn1Null => "NULL",
        Asn1TaggedObject tagged => $"a [{tagged.TagNo}] tagged element",
        _ => element.GetType().Name,
    };

    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 64));
        foreach (var c in text.Length > 64 ? text[..64] : text) builder.Append(c is >= ' ' and <= '~' ? c : '?');
        return builder.ToString();
    }

    /// <summary>A refusal of the input, with the field path; never escapes <see cref="SesCodec"/>.</summary>
    private sealed class SesFormatException(string message) : Exception(message);
}
