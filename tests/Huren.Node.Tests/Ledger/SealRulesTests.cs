using System.Security.Cryptography;
using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>
/// Seal registration (制章备案) by a seal-making authority, revocation and use (盖章), with real GB/T 38540 seals:
/// every refusal with its status and a message naming the field and the rule, and nothing staged.
/// </summary>
public class SealRulesTests
{
    private const string SealId = "43010000000001";

    private readonly LedgerFixture _log = new();
    private readonly LedgerSeals _kit = LedgerSeals.Default;
    private readonly TestIssuer _maker;
    private readonly TestIssuer _owner;
    private readonly SesSeal _seal;

    public SealRulesTests()
    {
        // The seal-making authority registers seals made with the kit's maker key; the market regulator owns the seal.
        _maker = _log.RegisterIssuer("430100-seals", Uscc("11430100HUREN0901"), licenseTypes: [], seals: ["1", "2"], mayShare: false);
        _owner = _log.RegisterIssuer("430100-amr", ChangshaAmrCode, seals: []);
        _seal = _kit.Make(SealId);
    }

    private Admitted Register(SesSeal? seal = null) => _log.Admit(_maker, EntryKinds.SealRegister, (seal ?? _seal).EsId, LedgerSeals.Registration(seal ?? _seal));

    private SesSignature Sign(string document = "1", DateTimeOffset? at = null, SesSeal? seal = null) => _kit.Sign(seal ?? _seal, LedgerSeals.Document(document), at);

    [Fact]
    public void A_seal_is_registered_used_by_its_owner_and_revoked()
    {
        var registered = Register();
        Assert.True(_log.Machine.TryGetSeal(SealId, out var seal));
        Assert.Equal(_maker.Id, seal.IssuerId);
        Assert.Equal(registered.Index, seal.RegisteredIndex);
        Assert.Equal(registered.LeafHash, seal.RegisteredLeafHash);
        Assert.Equal(SHA256.HashData(_seal.Der), seal.SealSha256);
        Assert.Equal(_kit.MakerKey.Id.Bytes.ToArray(), seal.MakerKeyId);
        Assert.Equal(LedgerFixture.Now.ToUnixTimeMilliseconds(), seal.RegisteredUnixMs);
        Assert.Equal(("1", "长沙市市场监督管理局", ChangshaAmrCode), (seal.SealType, seal.Name, seal.OwnerCode));

        var signature = Sign();
        var used = _log.Admit(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(signature));
        Assert.True(_log.Machine.TryFindSealUse(SHA256.HashData(signature.Der), out var use));
        Assert.Equal((SealId, used.Index, _owner.Id), (use.SealId, use.Index, use.IssuerId));
        // The registering authority may record a use too; the same signature only once.
        _log.Admit(_maker, EntryKinds.SealUse, SealId, LedgerSeals.Use(Sign("2")));
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(signature), RejectionKind.AlreadyExists, $"this SES_Signature was already recorded at index {used.Index}");

        var revoked = _log.Admit(_maker, EntryKinds.SealRevoke, SealId, SealRevoke(SealId));
        Assert.True(_log.Machine.TryGetSeal(SealId, out seal));
        Assert.True(seal.Revoked);
        Assert.Equal(revoked.Index, seal.RevokedIndex);
        _log.Refuse(_maker, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.FailedPrecondition, "was already revoked");
        _log.Refuse(_maker, EntryKinds.SealRegister, SealId, LedgerSeals.Registration(_seal), RejectionKind.AlreadyExists, $"seal {SealId} already exists");
    }

    [Fact]
    public void A_use_after_the_revocation_is_refused_even_when_the_document_was_signed_before()
    {
        Register();
        var signedBefore = Sign("early");
        _log.Admit(_maker, EntryKinds.SealRevoke, SealId, SealRevoke(SealId));
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(signedBefore), RejectionKind.FailedPrecondition, $"seal {SealId} was revoked at index");
    }

    [Fact]
    public void The_maker_certificate_must_hold_a_key_of_the_registering_authority()
    {
        // Another authority, registered with its own maker key, cannot register a seal the kit's maker made.
        var other = new LedgerSeals(LedgerFixture.Now, makerName: "株洲市电子印章制作中心");
        var elsewhere = _log.RegisterIssuer("430100-seals2", Uscc("11430100HUREN0902"), licenseTypes: [], seals: ["1"], mayShare: false, sealMakerKeys: [other.MakerKey.PublicKey]);
        var refused = _log.Refuse(elsewhere, EntryKinds.SealRegister, SealId, LedgerSeals.Registration(_seal), RejectionKind.PermissionDenied, "body.sesSeal: the maker certificate's key");
        Assert.Contains("is not a key of issuer 430100-seals2", refused.Message, StringComparison.Ordinal);
        // Its own seals it registers; and an authority whose own signing key is an SM2 key may make seals with it.
        _log.Admit(elsewhere, EntryKinds.SealRegister, "43010000000002", LedgerSeals.Registration(other.Make("43010000000002")));
    }

    [Fact]
    public void An_authority_whose_signing_key_makes_its_seals_needs_no_maker_key()
    {
        var sm2 = _log.RegisterIssuer("430100-seals3", Uscc("11430100HUREN0903"), licenseTypes: [], seals: ["1"], mayShare: false, algorithm: SignatureAlgorithm.Sm2Sm3, sealMakerKeys: []);
        var certificate = SealCertificate.SelfSigned("CN=自有密钥制章,C=CN", sm2.Key, LedgerFixture.Now.AddYears(-1), LedgerFixture.Now.AddYears(1));
        var info = _kit.Make("43010000000003").Info;
        _log.Admit(sm2, EntryKinds.SealRegister, "43010000000003", LedgerSeals.Registration(SealMaker.Make(info, certificate, sm2.Key)));
    }

    [Fact]
    public void The_seal_must_agree_with_the_body_and_its_maker_signature_verify()
    {
        var body = LedgerSeals.Registration(_seal);
        var entry = (SealRegistered b) => _log.Entry(EntryKinds.SealRegister, b.SealId, _maker.Id, b);
        // esID ≠ the record id (the body's seal id is the record id).
        var wrongId = LedgerSeals.Registration(_seal);
        wrongId.SealId = "43010000000099";
        _log.Refuse(entry(wrongId), _maker.Key, RejectionKind.InvalidArgument, $"body.sealId: '43010000000099' is not the seal's esID '{SealId}'");
        Expect(b => b.SealType = "2", "body.sealType: '2' is not the seal's type 1");
        Expect(b => b.Name = "别的名字", "body.name: '别的名字' is not the seal's name");
        Expect(b => b.ValidFrom = "2024-01-01", "body.validFrom: 2024-01-01 is not the day the seal's validity starts");
        Expect(b => b.ValidUntil = "2099-12-31", "body.validUntil: 2099-12-31 is not the day the seal's validity ends");
        Expect(b => b.SesSeal = [0x30, 0x03, 0x02, 0x01, 0x04], "body.sesSeal: SES_Seal");

        var forged = (byte[])_seal.Der.Clone();
        forged[^1] ^= 0x01;
        Expect(b => b.SesSeal = forged, "body.sesSeal: the seal maker's signature over SES_SealInfo");
        Assert.False(_log.Machine.TryGetSeal(SealId, out _));

        void Expect(Action<SealRegistered> change, string message)
        {
            var changed = LedgerSeals.Registration(_seal);
            change(changed);
            _log.Refuse(entry(changed), _maker.Key, RejectionKind.InvalidArgument, message);
        }
        _log.Admit(entry(body), _maker.Key);
    }

    [Fact]
    public void A_seal_made_after_the_entrys_time_is_not_registered()
    {
        var future = _kit.Make("43010000000004", validStart: LedgerFixture.Now.AddDays(2));
        var info = future.Info with { Property = future.Info.Property with { CreateDate = LedgerFixture.Now.AddDays(1) } };
        _log.Refuse(_maker, EntryKinds.SealRegister, "43010000000004", LedgerSeals.Registration(SealMaker.Make(info, _kit.MakerCertificate, _kit.MakerKey)),
            RejectionKind.FailedPrecondition, "after the entry's time");
    }

    [Fact]
    public void Seal_type_must_be_in_the_authoritys_seal_scope()
    {
        _log.Refuse(_maker, EntryKinds.SealRegister, "43010000000005", LedgerSeals.Registration(_kit.Make("43010000000005", type: 5)),
            RejectionKind.PermissionDenied, "seal type 5 is out of scope for issuer 430100-seals");
    }

    [Fact]
    public void A_use_must_apply_exactly_the_registered_seal()
    {
        Register();
        // Another seal with the same esID, made by the same maker: its signature checks out, but it is not what was registered.
        var twin = _kit.Make(SealId, name: "长沙市市场监督管理局（伪）");
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(Sign(seal: twin)), RejectionKind.FailedPrecondition,
            $"body.sesSignature: the seal inside the signature is not seal {SealId} as registered at {LedgerFixture.Changsha} #");
    }

    [Fact]
    public void The_signer_must_be_in_the_seals_list()
    {
        Register();
        var other = _kit.Sign(_seal, LedgerSeals.Document("x"), signerKey: _kit.OtherSignerKey, signerCertificate: _kit.OtherSignerCertificate);
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(other), RejectionKind.PermissionDenied, "body.sesSignature: the signer certificate (CN=李四");
    }

    [Fact]
    public void A_use_is_refused_for_an_unknown_seal_a_stranger_a_wrong_digest_and_a_bad_time()
    {
        var signature = Sign();
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(signature), RejectionKind.NotFound, $"seal {SealId} does not exist");
        Register();

        var stranger = _log.RegisterIssuer("430100-health", ChangshaHealthCode, seals: []);
        _log.Refuse(stranger, EntryKinds.SealUse, SealId, LedgerSeals.Use(signature), RejectionKind.PermissionDenied,
            $"may not record uses of seal {SealId}: it is neither its owner ({ChangshaAmrCode}) nor its registering issuer (430100-seals)");

        var wrongDigest = LedgerSeals.Use(signature);
        wrongDigest.DocumentDigest = Digests.Sm3("another document"u8);
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, wrongDigest, RejectionKind.InvalidArgument, "body.documentDigest: is not the document digest (dataHash) the SES_Signature signs");

        var sha256 = LedgerSeals.Use(signature);
        sha256.DigestAlgorithm = "sha256";
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, sha256, RejectionKind.InvalidArgument, "digestAlgorithm: must be sm3");

        var tampered = LedgerSeals.Use(signature);
        tampered.SesSignature = (byte[])signature.Der.Clone();
        tampered.SesSignature[^1] ^= 0x01;
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, tampered, RejectionKind.InvalidArgument, "body.sesSignature: the signer's signature over TBS_Sign does not verify");

        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(Sign("early", LedgerFixture.Now.AddHours(-1))), RejectionKind.FailedPrecondition,
            $"before seal {SealId} was registered");
        _log.Refuse(_owner, EntryKinds.SealUse, SealId, LedgerSeals.Use(Sign("future", LedgerFixture.Now.AddHours(1))), RejectionKind.FailedPrecondition,
            "which is in the future");
    }

    [Fact]
    public void A_document_signed_after_the_seal_expired_is_refused()
    {
        var seal = _kit.Make("43010000000006", validStart: LedgerFixture.Now.AddDays(-10), validEnd: LedgerFixture.Now.AddMinutes(-30));
        Register(seal);
        _log.Refuse(_owner, EntryKinds.SealUse, seal.EsId, LedgerSeals.Use(Sign(seal: seal)), RejectionKind.FailedPrecondition, "after the seal's validity ended");
    }

    [Fact]
    public void Seal_maker_keys_are_sm2_or_p256_keys_of_an_authority_with_seal_types()
    {
        var ed25519 = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey;
        var body = Issuer("430100-seals9", Uscc("11430100HUREN0909"), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [], ["1"], false, sealMakerKeys: [ed25519]);
        _log.Refuse(_log.Entry(EntryKinds.IssuerRegister, body.IssuerId, _log.RootId, body), _log.RootKey, RejectionKind.InvalidArgument,
            "body.sealMakerKeys[0]: seals are made with SM2 or P-256 keys, not Ed25519");
        var noScope = Issuer("430100-seals9", Uscc("11430100HUREN0909"), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [], [], false, sealMakerKeys: [_kit.MakerKey.PublicKey]);
        _log.Refuse(_log.Entry(EntryKinds.IssuerRegister, noScope.IssuerId, _log.RootId, noScope), _log.RootKey, RejectionKind.InvalidArgument,
            "sealMakerKeys: seal maker keys are for an issuer that registers seals");
    }

    [Fact]
    public void Only_the_registering_authority_revokes_a_seal()
    {
        _log.Refuse(_maker, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.NotFound, $"seal {SealId} does not exist");
        Register();
        _log.Refuse(_owner, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.PermissionDenied, $"record id {SealId} was registered by another issuer (430100-seals)");
    }
}
