using Huren.Sdk.Seals;
using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Tests.Seals;

/// <summary>
/// The malformed corpus: every case is refused with a message naming what is wrong, and no exception escapes the
/// parser or the verifier.
/// </summary>
public class SesMalformedCorpusTests
{
    private static readonly SealTestKit Kit = new();

    public static TheoryData<string> SealCases => new(SealCorpus().Keys);

    public static TheoryData<string> SignatureCases => new(SignatureCorpus().Keys);

    [Theory]
    [MemberData(nameof(SealCases))]
    public void Malformed_seal_is_refused_with_a_clear_reason(string name)
    {
        var (der, expected) = SealCorpus()[name];
        Assert.False(SesCodec.TryParseSeal(der, out var seal, out var error));
        Assert.Null(seal);
        Assert.Contains(expected, error);
        var verdict = SealTestKit.Verifier().VerifySeal(der);
        Assert.Equal(SealVerdict.Malformed, verdict.Verdict);
        Assert.Equal(error, verdict.Reason);
    }

    [Theory]
    [MemberData(nameof(SignatureCases))]
    public void Malformed_signature_is_refused_with_a_clear_reason(string name)
    {
        var (der, expected) = SignatureCorpus()[name];
        Assert.False(SesCodec.TryParseSignature(der, out var signature, out var error));
        Assert.Null(signature);
        Assert.Contains(expected, error);
        var verdict = SealTestKit.Verifier().Verify(SealTestKit.Document, der);
        Assert.Equal(SealVerdict.Malformed, verdict.Verdict);
        Assert.Contains(expected, verdict.Reason);
    }

    [Fact]
    public void Every_truncation_of_a_seal_and_a_signature_is_refused()
    {
        var seal = Kit.Seal().Der;
        var signature = Kit.Sign(Kit.Seal()).Der;
        for (var length = 0; length < seal.Length; length++)
        {
            Assert.False(SesCodec.TryParseSeal(seal[..length], out _, out var error), $"prefix {length}");
            Assert.False(string.IsNullOrEmpty(error));
        }
        for (var length = 0; length < signature.Length; length++)
        {
            Assert.False(SesCodec.TryParseSignature(signature[..length], out _, out _), $"prefix {length}");
        }
    }

    [Fact]
    public void Random_mutations_never_escape_as_exceptions()
    {
        // Seeded, so a failure reproduces: flips, insertions, deletions and overwritten lengths anywhere in a valid signature.
        var random = new Random(38540);
        var valid = Kit.Sign(Kit.Seal()).Der;
        var verifier = SealTestKit.Verifier();
        var refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var mutant = valid.ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(mutant.Count);
                switch (random.Next(4))
                {
                    case 0: mutant[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutant.Insert(at, (byte)random.Next(256)); break;
                    case 2: mutant.RemoveAt(at); break;
                    default: mutant[at] = (byte)random.Next(256); break;
                }
            }
            var bytes = mutant.ToArray();
            if (!SesCodec.TryParseSignature(bytes, out _, out _)) refused++;
            var result = verifier.Verify(SealTestKit.Document, bytes);
            // Everything but the signature value is signed, so any change that still parses must fail a check.
            Assert.True(result.Verdict != SealVerdict.Valid || bytes.AsSpan().SequenceEqual(valid), $"mutant {i} verified");
            Assert.Equal(result.Verdict == SealVerdict.Valid, result.IsValid);
        }
        // Most mutants break the DER; the rest (bytes inside certificates, the picture, signatures) reach the checks.
        Assert.InRange(refused, 1000, 2999);
    }

    private static Dictionary<string, (byte[] Der, string Error)> SealCorpus()
    {
        var valid = new RawSes(Kit).Seal();
        var cases = new Dictionary<string, (byte[], string)>
        {
            ["empty"] = ([], "empty input"),
            ["truncated in the middle"] = (valid[..(valid.Length / 2)], "not DER"),
            ["trailing bytes"] = ([.. valid, 0x00], "1 bytes follow the end of the structure"),
            ["too large"] = (new byte[SesLimits.MaxStructureBytes + 1], "more than the 2097152-byte limit"),
            ["a SET instead of the SEQUENCE"] = ([0x31, .. valid[1..]], "SES_Seal: expected SEQUENCE, found SET"),
            ["BER indefinite length"] = ([0x30, 0x80, .. valid[4..], 0x00, 0x00], "not DER"),
            ["non-minimal length"] = ([0x30, 0x84, 0x00, 0x00, (byte)((valid.Length - 4) >> 8), (byte)(valid.Length - 4), .. valid[4..]], "not DER"),
            ["deep nesting"] = (Nested(10_000), "nested deeper than 16 levels"),
            ["garbage"] = ("not a seal at all"u8.ToArray(), "not DER"),
        };
        Add(cases, "esID an INTEGER", r => r.EsId = DerInteger.ValueOf(7), "SES_Seal.eSealInfo.esID: expected IA5String, found INTEGER");
        Add(cases, "esID not ASCII", r => r.EsId = new DerIA5String([0xE5, 0x8D, 0xB0]), "esID: not IA5 (ASCII) text");
        Add(cases, "name not UTF-8", r => r.Name = new DerUtf8String([0xFF, 0xFE]), "property.name: not valid UTF-8");
        Add(cases, "wrong header id", r => r.Id = new DerIA5String("EX"), "header.id: must be \"ES\", got \"EX\"");
        Add(cases, "wrong version", r => r.Version = DerInteger.ValueOf(3), "header.version: must be 4 for a GB/T 38540 seal, got 3");
        Add(cases, "version too large", r => r.Version = new DerInteger(new Org.BouncyCastle.Math.BigInteger("123456789012345678901234567890")), "header.version: 123456789012345678901234567890 is out of range");
        Add(cases, "extra element in the seal", r => r.EditSeal = e => [.. e, DerNull.Instance], "SES_Seal: has 5 elements; a GB/T 38540 seal has 4, a GM/T 0031 seal 2");
        Add(cases, "extra element in the header", r => r.EditHeader = e => [.. e, new DerIA5String("x")], "header: has 4 elements, expected 3");
        Add(cases, "extra element in the property", r => r.EditProperty = e => [.. e, DerInteger.ValueOf(1)], "property: has 8 elements; a GB/T 38540 property has 7");
        Add(cases, "missing picture height", r => r.EditPicture = e => e[..3], "picture: has 3 elements, expected 4");
        Add(cases, "extra element in the seal info", r => r.EditInfo = e => [.. e, new DerSequence(), DerNull.Instance], "eSealInfo: has 6 elements, expected 4 to 5");
        Add(cases, "oversize picture", r => r.PictureData = new DerOctetString(new byte[SesLimits.MaxPictureBytes + 1]),
            $"picture.data: {SesLimits.MaxPictureBytes + 1} bytes, more than the {SesLimits.MaxPictureBytes}-byte limit");
        Add(cases, "empty picture", r => r.PictureData = new DerOctetString([]), "picture.data: empty");
        Add(cases, "zero width", r => r.Width = DerInteger.ValueOf(0), "picture.width: must be 1 to 1000 mm, got 0");
        Add(cases, "unknown signature algorithm", r => r.SignAlg = new DerObjectIdentifier("1.2.840.113549.1.1.11"),
            "signatureAlgorithm: 1.2.840.113549.1.1.11 is not SM2-with-SM3");
        Add(cases, "signature algorithm not an OID", r => r.SignAlg = new DerIA5String("SM2"), "signAlgID: expected OBJECT IDENTIFIER, found IA5String");
        Add(cases, "signed value with unused bits", r => r.SignedValue = new DerBitString(new byte[] { 1, 2, 8 }, 3), "signedValue: has 3 unused bits");
        Add(cases, "maker certificate missing", r => r.MakerCert = new DerOctetString([]), "SES_Seal.cert: empty");
        Add(cases, "certListType 3", r => r.CertListType = DerInteger.ValueOf(3), "certListType: must be 1 (certificates) or 2 (certificate digests), got 3");
        Add(cases, "digest list holding certificates", r => r.CertListType = DerInteger.ValueOf(2), "certList[0]: expected SEQUENCE, found OCTET STRING");
        Add(cases, "empty certificate list", r => r.CertList = new DerSequence(), "property.certList: lists no certificate");
        Add(cases, "validEnd before validStart", r => r.End = new DerGeneralizedTime("20240101000000Z"), "validEnd: 2024-01-01T00:00:00.0000000+00:00 is before validStart");
        Add(cases, "UTCTime in a v4 property", r => r.Create = new DerUtcTime("250101000000Z"), "createDate: expected GeneralizedTime, found UTCTime");
        Add(cases, "critical FALSE written out", r => r.SealExtensions = new DerSequence(new DerSequence(new DerObjectIdentifier("1.2.3"), DerBoolean.False, new DerOctetString([1]))),
            "extDatas[0].critical: FALSE is the default and DER leaves it out");
        Add(cases, "extension OID a string", r => r.SealExtensions = new DerSequence(new DerSequence(new DerIA5String("1.2.3"), new DerOctetString([1]))),
            "extDatas[0].extnID: expected OBJECT IDENTIFIER, found IA5String");
        cases["malformed OID encoding"] = (ReplaceLast(valid, [0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75],
            [0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0xF5]), "not DER");
        return cases;
    }

    private static Dictionary<string, (byte[] Der, string Error)> SignatureCorpus()
    {
        var cases = new Dictionary<string, (byte[], string)>();
        AddSignature(cases, "three elements", r => r.EditSignature = e => e[..3], "SES_Signature: has 3 elements; a GB/T 38540 signature has 4 or 5");
        AddSignature(cases, "wrong TBS_Sign version", r => r.TbsVersion = DerInteger.ValueOf(5), "toSign.version: must be 4 for a GB/T 38540 signature, got 5");
        AddSignature(cases, "time stamp under tag [1]", r => r.TimeStamp = new DerTaggedObject(true, 1, new DerBitString([1])), "timeStamp: expected [0] EXPLICIT, found a [1] tagged element");
        AddSignature(cases, "time stamp IMPLICIT", r => r.TimeStamp = new DerTaggedObject(false, 0, new DerBitString([1])), "timeStamp: expected [0] EXPLICIT");
        AddSignature(cases, "short data hash", r => r.DataHash = new DerBitString(new byte[20]), "dataHash: must be the 32-byte SM3 of the document, got 20 bytes");
        AddSignature(cases, "timeInfo as UTCTime", r => r.TimeInfo = new DerUtcTime("250601023000Z"), "toSign.timeInfo: expected GeneralizedTime, found UTCTime");
        AddSignature(cases, "extra element in TBS_Sign", r => r.EditTbs = e => [.. e, DerNull.Instance, DerNull.Instance], "toSign: has 7 elements, expected 5 to 6");
        AddSignature(cases, "extDatas untagged", r => r.EditTbs = e => [.. e, new DerSequence()], "extDatas: expected [0] EXPLICIT, found SEQUENCE");
        AddSignature(cases, "wrong header id inside the embedded seal", r => r.Id = new DerIA5String("XX"), "SES_Signature.toSign.eseal.eSealInfo.header.id");
        AddSignature(cases, "unknown signer algorithm", r => r.EditSignature = e => [e[0], e[1], new DerObjectIdentifier("1.3.101.112"), e[3]],
            "SES_Signature.signatureAlgorithm: 1.3.101.112 is not SM2-with-SM3");
        var v1Seal = new RawSes(Kit, v1: true).SealElement();
        AddSignature(cases, "a v1 seal inside a v4 signature", r => r.EditTbs = e => [e[0], v1Seal, .. e[2..]], "a GM/T 0031 seal inside a GB/T 38540 signature");
        var v1 = new RawSes(Kit, v1: true) { TimeInfo = new DerBitString([0x30, 0x03, 0x02, 0x01, 0x01]) };
        cases["v1 time stamp token as timeInfo"] = (v1.SignatureDer(), "timeInfo: not the text of a time");
        return cases;
    }

    private static void Add(Dictionary<string, (byte[], string)> cases, string name, Action<RawSes> edit, string error)
    {
        var raw = new RawSes(Kit);
        edit(raw);
        cases[name] = (raw.Seal(), error);
    }

    private static void AddSignature(Dictionary<string, (byte[], string)> cases, string name, Action<RawSes> edit, string error)
    {
        var raw = new RawSes(Kit);
        edit(raw);
        cases[name] = (raw.SignatureDer(), error);
    }

    private static byte[] Nested(int depth)
    {
        // SEQUENCE { SEQUENCE { ... } } in valid DER (minimal lengths), built from the inside out: only the depth is wrong.
        var headers = new List<byte[]>(depth);
        var total = 0;
        for (var level = 0; level < depth; level++)
        {
            byte[] header = total < 0x80 ? [0x30, (byte)total]
                : total < 0x100 ? [0x30, 0x81, (byte)total]
                : total < 0x10000 ? [0x30, 0x82, (byte)(total >> 8), (byte)total]
                : [0x30, 0x83, (byte)(total >> 16), (byte)(total >> 8), (byte)total];
            headers.Add(header);
            total += header.Length;
        }
        var bytes = new List<byte>(total);
        for (var level = depth - 1; level >= 0; level--) bytes.AddRange(headers[level]);
        return [.. bytes];
    }

    private static byte[] ReplaceLast(byte[] haystack, byte[] needle, byte[] replacement)
    {
        // The last one: the seal's own signAlgID comes after the certificates that name the same algorithm.
        var at = haystack.AsSpan().LastIndexOf(needle);
        Assert.True(at >= 0, "needle not found");
        var copy = (byte[])haystack.Clone();
        replacement.CopyTo(copy, at);
        return copy;
    }
}
