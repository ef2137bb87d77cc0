using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Schema;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Xml;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Xml.Tests;

/// <summary>License metadata written as XML, signed, and read back by the verifier.</summary>
public class LicenseXmlTests
{
    [Fact]
    public void Metadata_signed_with_P256_verifies_and_reads_back_unchanged()
    {
        var metadata = XmlTestData.Metadata();
        var result = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey).Verify(XmlTestData.Signed());

        Assert.True(result.IsValid, result.Reason);
        var read = result.Metadata!;
        Assert.Equal(metadata.LicenseId, read.LicenseId);
        Assert.Equal("营业执照", read.TypeName);
        Assert.Equal(metadata.TypeCode, read.TypeCode);
        Assert.Equal(metadata.HolderCode, read.HolderCode);
        Assert.Equal("", read.ValidUntil);
        Assert.Equal("01", read.StatusCode);
        Assert.Equal(metadata.DocumentDigest, read.DocumentDigest);
        Assert.Equal(metadata.Fields.Select(f => (f.Name, f.Value)), read.Fields.Select(f => (f.Name, f.Value)));
        Assert.Equal(metadata.LedgerEntry!.LeafHash, read.LedgerEntry!.LeafHash);
        Assert.Equal(42UL, read.LedgerEntry.Index);
        Assert.Equal(XmlTestData.ExportedAt, result.ExportedAt);
    }

    [Fact]
    public void Metadata_signed_with_RSA_2048_verifies_and_a_personal_holder_appears_only_as_a_commitment()
    {
        var personal = LicenseMetadata.FromIssue(XmlTestData.Personal());
        var xml = XmlTestData.Signed(XmlTestData.RsaKey, personal);
        var result = new LicenseXmlVerifier(XmlTestData.RsaKey.PublicKey).Verify(xml);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(personal.HolderIdCommitment, result.Metadata!.HolderIdCommitment);
        Assert.Equal("", result.Metadata.HolderCode);
        Assert.DoesNotContain("430104199001011234", Encoding.UTF8.GetString(xml));
        Assert.Contains("<IdCommitment>", Encoding.UTF8.GetString(xml));
        Assert.Contains(XmlDsigAlgorithmsRsa, Encoding.UTF8.GetString(xml));
    }

    private const string XmlDsigAlgorithmsRsa = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

    [Fact]
    public void Later_entries_change_validity_digest_fields_and_status()
    {
        var issued = XmlTestData.Business();
        var change = new LicenseChanged
        {
            LicenseId = issued.LicenseId, OperationCode = "09", NewValidUntil = "2030-12-31", NewDocumentDigest = Digests.Sha256("new.ofd"u8),
            DigestAlgorithm = "sha256", ChangedFields = [new LicenseField { Name = "住所", Value = "湖南省长沙市天心区" }, new LicenseField { Name = "注册资本", Value = "100万元" }],
            Reason = "住所变更",
        };
        var suspend = new LicenseStatusChanged { LicenseId = issued.LicenseId, Action = LicenseStatusAction.Suspend, StatusCode = "02", Reason = "暂扣" };
        var entries = new List<Entry>
        {
            Entry(EntryKinds.LicenseIssue, issued),
            Entry(EntryKinds.LicenseUse, new LicenseUsed { LicenseId = issued.LicenseId, MatterCode = "m", Counter = "c", Purpose = "p" }),
            Entry(EntryKinds.LicenseChange, change),
            Entry(EntryKinds.LicenseStatus, suspend),
        };
        var metadata = LicenseMetadata.FromEntries(entries);
        Assert.Equal("2030-12-31", metadata.ValidUntil);
        Assert.Equal("sha256", metadata.DigestAlgorithm);
        Assert.Equal("02", metadata.StatusCode);
        Assert.Equal("湖南省长沙市天心区", metadata.Fields.Single(f => f.Name == "住所").Value);
        Assert.Equal("注册资本", metadata.Fields[^1].Name);
        Assert.Equal(5, metadata.Fields.Count);

        entries.Add(Entry(EntryKinds.LicenseTransfer, new LicenseTransferred { LicenseId = issued.LicenseId, ToCityCode = "430300", ToOrigin = "huren.cz-t/430300", Reason = "迁移" }));
        var transferred = LicenseMetadata.FromEntries(entries);
        Assert.Equal("06", transferred.StatusCode);
        var result = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey).Verify(XmlTestData.Signed(metadata: transferred));
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("06", result.Metadata!.StatusCode);
        Assert.Contains(">办理转出<", Encoding.UTF8.GetString(XmlTestData.Signed(metadata: transferred)));

        Assert.Throws<FormatException>(() => LicenseMetadata.FromEntries([Entry(EntryKinds.LicenseChange, change)]));
    }

    [Fact]
    public void What_Huren_writes_is_valid_against_the_XSD_in_schemas()
    {
        var set = new XmlSchemaSet();
        using (var stream = LicenseXmlSchema.OpenXsd()) set.Add(LicenseXmlSchema.Namespace, XmlReader.Create(stream));
        foreach (var xml in new[] { XmlTestData.Signed(), XmlTestData.Signed(XmlTestData.RsaKey, LicenseMetadata.FromIssue(XmlTestData.Personal())) })
        {
            var document = new XmlDocument { Schemas = set };
            document.Load(new MemoryStream(xml));
            var errors = new List<string>();
            document.Validate((_, e) => errors.Add(e.Message));
            Assert.Empty(errors);
        }
        // And the XSD file in the repository is the one embedded.
        var file = Path.Combine(RepositoryRoot(), "schemas", "Huren.Schemas", "Xml", "license-metadata-v1.xsd");
        using var embedded = LicenseXmlSchema.OpenXsd();
        using var copy = new MemoryStream();
        embedded.CopyTo(copy);
        Assert.Equal(File.ReadAllBytes(file), copy.ToArray());
    }

    [Fact]
    public void Changed_content_is_a_bad_signature_and_another_key_is_refused()
    {
        var xml = XmlTestData.Signed();
        var verifier = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey);
        var changed = XmlTestData.Edit(xml, (d, ns) => XmlTestData.Select(d, ns, "//l:Holder/l:Name").InnerText = "冒名公司");
        var result = verifier.Verify(changed);
        Assert.Equal(LicenseXmlVerdict.BadSignature, result.Verdict);
        Assert.Contains("does not verify with the expected key", result.Reason);
        Assert.Null(result.Metadata);

        var otherKey = XmlVerificationKey.FromPublicKey(SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256).PublicKey);
        Assert.Equal(LicenseXmlVerdict.BadSignature, new LicenseXmlVerifier(otherKey).Verify(xml).Verdict);
        var wrongType = new LicenseXmlVerifier(XmlTestData.RsaKey.PublicKey).Verify(xml);
        Assert.Equal(LicenseXmlVerdict.WrongKey, wrongType.Verdict);
        Assert.Contains("expected key verifies http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", wrongType.Reason);
    }

    [Fact]
    public void Schema_errors_are_reported_even_when_properly_signed()
    {
        var document = LicenseXmlWriter.Write(XmlTestData.Metadata(), XmlTestData.ExportedAt);
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("l", LicenseXmlSchema.Namespace);
        XmlTestData.Select(document, ns, "//l:JurisdictionCode").InnerText = "4301";
        LicenseXmlSigner.Sign(document, XmlTestData.EcdsaKey);
        var result = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey).Verify(LicenseXmlWriter.ToBytes(document));
        Assert.Equal(LicenseXmlVerdict.SchemaInvalid, result.Verdict);
        Assert.Contains("JurisdictionCode", result.Reason);

        document = LicenseXmlWriter.Write(XmlTestData.Metadata(), XmlTestData.ExportedAt);
        XmlTestData.Select(document, ns, "//l:Status").InnerText = "吊销";
        LicenseXmlSigner.Sign(document, XmlTestData.EcdsaKey);
        result = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey).Verify(LicenseXmlWriter.ToBytes(document));
        Assert.Equal(LicenseXmlVerdict.SchemaInvalid, result.Verdict);
        Assert.Contains("Status code 01 is 有效, but the text says 吊销", result.Reason);
    }

    [Fact]
    public void Keys_are_P256_or_RSA_of_2048_bits_and_more()
    {
        Assert.Throws<ArgumentException>(() => XmlSigningKey.FromSigningKey(SigningKey.Generate(SignatureAlgorithm.Sm2Sm3)));
        Assert.Throws<ArgumentException>(() => XmlVerificationKey.FromPublicKey(SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey));
        Assert.Throws<ArgumentException>(() => XmlSigningKey.FromRsa(RSA.Create(1024)));
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("P-256", Assert.Throws<FormatException>(() => XmlVerificationKey.FromSubjectPublicKeyInfo(p384.ExportSubjectPublicKeyInfo())).Message);
        var pem = XmlTestData.RsaKey.PublicKey.ToPem();
        Assert.Equal(XmlTestData.RsaKey.PublicKey.SubjectPublicKeyInfo, XmlVerificationKey.FromPem(pem).SubjectPublicKeyInfo);
        Assert.Equal(XmlTestData.P256.Value.PublicKey.SubjectPublicKeyInfo, XmlSigningKey.FromPem(XmlTestData.P256.Value.ToPem()).PublicKey.SubjectPublicKeyInfo);
        Assert.Throws<FormatException>(() => XmlVerificationKey.FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"));
    }

    private static Entry Entry<T>(string kind, T body) => new()
    {
        Kind = kind,
        Body = CanonicalCodec.Encode(body),
    };

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("the repository root (Huren.slnx) is not above the test output");
    }
}
