using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;
using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Tests.Seals;

/// <summary>Every verdict of the ledger-independent seal check, each with its own case.</summary>
public class SealVerifierTests
{
    public static TheoryData<SignatureAlgorithm> Algorithms => new() { SignatureAlgorithm.Sm2Sm3, SignatureAlgorithm.EcdsaP256Sha256 };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_good_sealed_document_is_valid_from_bytes_a_stream_or_a_digest(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        var signature = kit.Sign(kit.Seal()).Der;
        var verifier = SealTestKit.Verifier();

        var result = verifier.Verify(SealTestKit.Document, signature);
        Assert.True(result.IsValid, result.Reason);
        Assert.Null(result.Reason);
        Assert.Equal(kit.MakerKey.Id, result.MakerCertificate!.PublicKey.Id);
        Assert.Equal(kit.SignerKey.Id, result.SignerCertificate!.PublicKey.Id);
        Assert.Equal("43010020250001", result.Seal!.EsId);
        Assert.Equal(SealTestKit.SignedAt, result.Signature!.ToSign.TimeInfo);

        using var stream = new MemoryStream(SealTestKit.Document);
        Assert.Equal(SealVerdict.Valid, verifier.Verify(stream, signature).Verdict);
        Assert.Equal(SealVerdict.Valid, verifier.VerifyDigest(Digests.Sm3(SealTestKit.Document), signature).Verdict);
        Assert.Equal(SealVerdict.Valid, verifier.VerifySeal(kit.Seal().Der).Verdict);

        // The certificates parsed once are reused by later checks of the same instance.
        var again = verifier.Verify(SealTestKit.Document, signature);
        Assert.Same(result.SignerCertificate, again.SignerCertificate);
        Assert.Same(result.MakerCertificate, again.MakerCertificate);
    }

    [Fact]
    public void A_signer_listed_by_certificate_digest_is_valid_and_another_is_not()
    {
        var kit = new SealTestKit();
        var seal = kit.Seal(SesCertListType.CertificateDigests);
        Assert.Equal(SealVerdict.Valid, SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(seal).Der).Verdict);
        var other = SealSigner.Sign(seal, SealTestKit.Document, kit.OtherCertificate, kit.OtherKey, SealTestKit.SignedAt, "x");
        Assert.Equal(SealVerdict.SignerNotAllowed, SealTestKit.Verifier().Verify(SealTestKit.Document, other.Der).Verdict);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_tampered_document_is_a_bad_signature(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        var signature = kit.Sign(kit.Seal()).Der;
        var document = (byte[])SealTestKit.Document.Clone();
        document[^1] ^= 1;
        var result = SealTestKit.Verifier().Verify(document, signature);
        Assert.Equal(SealVerdict.BadSignature, result.Verdict);
        Assert.Contains("document's SM3 digest differs", result.Reason);
        Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().Verify([], signature).Verdict);
        Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().VerifyDigest(new byte[31], signature).Verdict);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_tampered_signature_value_is_a_bad_signature(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        var signed = kit.Sign(kit.Seal());
        // Flip one bit in every byte of the signature value, one at a time; each gives BAD_SIGNATURE or MALFORMED, never VALID.
        for (var i = 0; i < signed.Signature.Length; i++)
        {
            var value = (byte[])signed.Signature.Clone();
            value[i] ^= 0x01;
            var der = SesCodec.EncodeSignature(signed.ToSign, signed.SignerCertificate, signed.SignatureAlgorithm, value, null);
            var result = SealTestKit.Verifier().Verify(SealTestKit.Document, der);
            Assert.Equal(SealVerdict.BadSignature, result.Verdict);
            Assert.Contains("signer's signature over TBS_Sign does not verify", result.Reason);
        }
    }

    [Fact]
    public void A_changed_signed_field_or_another_listed_certificate_is_a_bad_signature()
    {
        var kit = new SealTestKit();
        var seal = SealMaker.Make(kit.Info() with
        {
            Property = kit.Info().Property with { Certificates = [kit.SignerCertificate.Der, kit.OtherCertificate.Der] },
        }, kit.MakerCertificate, kit.MakerKey);
        var signed = kit.Sign(seal);
        var moved = SesCodec.EncodeSignature(signed.ToSign with { TimeInfo = SealTestKit.SignedAt.AddDays(1) }, signed.SignerCertificate,
            signed.SignatureAlgorithm, signed.Signature, null);
        Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().Verify(SealTestKit.Document, moved).Verdict);
        // The other listed signer's certificate put in place of the real one: its key did not sign.
        var swapped = SesCodec.EncodeSignature(signed.ToSign, kit.OtherCertificate.Der, signed.SignatureAlgorithm, signed.Signature, null);
        Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().Verify(SealTestKit.Document, swapped).Verdict);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_certificate_whose_signature_bit_string_has_unused_bits_is_malformed_not_an_exception(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        // The certificate's signature BIT STRING: its unused-bits byte sits just before the signature's bytes.
        var parsed = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(kit.MakerCertificate.Der);
        var der = (byte[])kit.MakerCertificate.Der.Clone();
        var at = der.AsSpan().LastIndexOf(parsed.GetSignature());
        Assert.True(at > 0 && der[at - 1] == 0, "the signature's BIT STRING not found");
        der[at - 1] = 1;

        Assert.False(SealCertificate.TryParse(der, out _, out var error));
        Assert.Contains("not an X.509 certificate", error, StringComparison.Ordinal);
        var good = kit.Seal();
        Assert.True(SesCodec.TryParseSeal(SesCodec.EncodeSeal(good.Info, der, good.SignatureAlgorithm, good.SignedValue), out var seal, out _));
        var result = SealTestKit.Verifier().VerifySeal(seal.Der);
        Assert.Equal(SealVerdict.Malformed, result.Verdict);
        Assert.Contains("maker certificate", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_bad_maker_signature_is_a_bad_signature_even_when_the_signer_signed_it(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        var good = kit.Seal();
        var flipped = (byte[])good.SignedValue.Clone();
        flipped[^1] ^= 0x01;
        Assert.True(SesCodec.TryParseSeal(SesCodec.EncodeSeal(good.Info, good.MakerCertificate, good.SignatureAlgorithm, flipped), out var badValue, out _));
        // A seal whose information was changed after it was made (another name), keeping the maker's signature.
        Assert.True(SesCodec.TryParseSeal(SesCodec.EncodeSeal(good.Info with { Property = good.Info.Property with { Name = "伪造专用章" } },
            good.MakerCertificate, good.SignatureAlgorithm, good.SignedValue), out var changedInfo, out _));
        // A seal "made" by a key that is not the maker certificate's.
        Assert.True(SesCodec.TryParseSeal(SesCodec.EncodeSeal(good.Info, good.MakerCertificate, good.SignatureAlgorithm,
            kit.OtherKey.Sign(good.SignedContent)), out var otherMaker, out _));

        foreach (var seal in new[] { badValue, changedInfo, otherMaker })
        {
            var result = SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(seal).Der);
            Assert.Equal(SealVerdict.BadSignature, result.Verdict);
            Assert.Contains("seal maker's signature", result.Reason);
            Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().VerifySeal(seal.Der).Verdict);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_signer_not_in_the_seal_is_not_allowed(SignatureAlgorithm algorithm)
    {
        var kit = new SealTestKit(algorithm);
        var signature = SealSigner.Sign(kit.Seal(), SealTestKit.Document, kit.OtherCertificate, kit.OtherKey, SealTestKit.SignedAt, "x");
        var result = SealTestKit.Verifier().Verify(SealTestKit.Document, signature.Der);
        Assert.Equal(SealVerdict.SignerNotAllowed, result.Verdict);
        Assert.Contains("株洲市市场监督管理局", result.Reason);
    }

    [Fact]
    public void Signed_after_the_seal_or_the_signer_certificate_expired_is_expired()
    {
        var kit = new SealTestKit();
        var seal = kit.Seal();
        var verifier = SealTestKit.Verifier(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var late = verifier.Verify(SealTestKit.Document, kit.Sign(seal, SealTestKit.ValidEnd.AddSeconds(1)).Der);
        Assert.Equal(SealVerdict.Expired, late.Verdict);
        Assert.Contains("after the seal's validity ended (2026-12-31T15:59:59Z)", late.Reason);
        Assert.Equal(SealVerdict.Valid, verifier.Verify(SealTestKit.Document, kit.Sign(seal, SealTestKit.ValidEnd).Der).Verdict);

        // A seal valid until 2029, used after the signer's certificate ended (2028-01-01).
        var longSeal = SealMaker.Make(kit.Info(validEnd: new DateTimeOffset(2029, 12, 31, 0, 0, 0, TimeSpan.Zero)), kit.MakerCertificate, kit.MakerKey);
        var result = verifier.Verify(SealTestKit.Document, kit.Sign(longSeal, new DateTimeOffset(2028, 6, 1, 0, 0, 0, TimeSpan.Zero)).Der);
        Assert.Equal(SealVerdict.Expired, result.Verdict);
        Assert.Contains("after the signer certificate expired", result.Reason);
    }

    [Fact]
    public void Signed_before_the_seal_was_valid_or_in_the_future_is_not_yet_valid()
    {
        var kit = new SealTestKit();
        var laterSeal = SealMaker.Make(kit.Info(validStart: new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)), kit.MakerCertificate, kit.MakerKey);
        var early = SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(laterSeal, new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero)).Der);
        Assert.Equal(SealVerdict.NotYetValid, early.Verdict);
        Assert.Contains("before the seal's validity starts", early.Reason);

        var beforeMade = SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(kit.Seal(), SealTestKit.Made.AddSeconds(-1)).Der);
        Assert.Equal(SealVerdict.NotYetValid, beforeMade.Verdict);
        Assert.Contains("before the seal was made", beforeMade.Reason);

        // The verifier's clock is 2025-07-01: a signature claiming 2025-08-01 is in the future; 4 minutes ahead is clock skew.
        var now = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var future = SealTestKit.Verifier(now).Verify(SealTestKit.Document, kit.Sign(kit.Seal(), now.AddMonths(1)).Der);
        Assert.Equal(SealVerdict.NotYetValid, future.Verdict);
        Assert.Contains("in the future", future.Reason);
        Assert.True(SealTestKit.Verifier(now).Verify(SealTestKit.Document, kit.Sign(kit.Seal(), now.AddMinutes(4)).Der).IsValid);
    }

    [Fact]
    public void A_seal_made_outside_the_maker_certificate_validity_is_refused()
    {
        var kit = new SealTestKit();
        var shortMaker = SealCertificate.SelfSigned("CN=过期制章机构", kit.MakerKey, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2024, 12, 31, 0, 0, 0, TimeSpan.Zero));
        var seal = SealMaker.Make(kit.Info(), shortMaker, kit.MakerKey);
        var result = SealTestKit.Verifier().VerifySeal(seal.Der);
        Assert.Equal(SealVerdict.Expired, result.Verdict);
        Assert.Contains("after the maker certificate expired", result.Reason);
        Assert.Equal(SealVerdict.Expired, SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(seal).Der).Verdict);
    }

    [Fact]
    public void Unknown_critical_extensions_and_mismatched_keys_are_malformed()
    {
        var kit = new SealTestKit();
        var critical = kit.Seal(extensions: [new SesExtension("1.2.156.3005.99.9", true, [1])]);
        var result = SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(critical).Der);
        Assert.Equal(SealVerdict.Malformed, result.Verdict);
        Assert.Contains("critical extension 1.2.156.3005.99.9", result.Reason);
        Assert.True(SealTestKit.Verifier().Verify(SealTestKit.Document, kit.Sign(kit.Seal(extensions: [new SesExtension("1.2.156.3005.99.9", false, [1])])).Der).IsValid);

        // An SM2 signature whose algorithm field claims ECDSA.
        var signed = kit.Sign(kit.Seal());
        var claimed = SesCodec.EncodeSignature(signed.ToSign, signed.SignerCertificate, SealAlgorithms.EcdsaWithSha256, signed.Signature, null);
        var mismatch = SealTestKit.Verifier().Verify(SealTestKit.Document, claimed);
        Assert.Equal(SealVerdict.Malformed, mismatch.Verdict);
        Assert.Contains("signer certificate: holds a Sm2Sm3 key", mismatch.Reason);

        // A certificate field that is not a certificate.
        var garbage = SesCodec.EncodeSignature(signed.ToSign, [0x30, 0x00], signed.SignatureAlgorithm, signed.Signature, null);
        Assert.Equal(SealVerdict.Malformed, SealTestKit.Verifier().Verify(SealTestKit.Document, garbage).Verdict);
    }

    [Fact]
    public void A_GM_T_0031_v1_sealed_document_verifies_and_its_tampering_is_caught()
    {
        var kit = new SealTestKit();
        var raw = new RawSes(kit, v1: true);
        var der = raw.SignatureDer();
        var result = SealTestKit.Verifier().Verify(SealTestKit.Document, der);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(SesFormat.V1, result.Seal!.Format);

        Assert.Equal(SealVerdict.BadSignature, SealTestKit.Verifier().Verify([.. SealTestKit.Document, 0], der).Verdict);
        var badMaker = new RawSes(kit, v1: true) { SignedValue = new DerBitString(kit.MakerKey.Sign("other"u8)) };
        Assert.Contains("seal maker's signature", SealTestKit.Verifier().Verify(SealTestKit.Document, badMaker.SignatureDer()).Reason);
    }
}
